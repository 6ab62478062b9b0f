// Module NGCPClient.
