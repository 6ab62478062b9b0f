// Module LiveState.
