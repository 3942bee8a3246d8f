"""HTTP transports: the JSON API and the server-rendered pages. Thin: parse, authorise, call a service."""
