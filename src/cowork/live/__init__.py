"""The live layer: socket.io server, rooms, publishing after commit, and catch-up since a seq."""
