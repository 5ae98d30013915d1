"""OAuth clients: registered with a hashed secret, an owner and the scopes they may ask for."""
