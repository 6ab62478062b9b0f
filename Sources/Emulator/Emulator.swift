// Module Emulator.
