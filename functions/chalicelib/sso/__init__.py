"""Single sign-on: accounts and the OpenID Connect provider that ministry and province portals trust."""
