print("ngcp-emulator")
