print("ngcpctl")
