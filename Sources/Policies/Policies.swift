// Module Policies.
