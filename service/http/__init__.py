"""HTTP plumbing shared by every feature's web edge: declared operations and the OpenAPI document,
CORS, gzip, rate limits, the access log and path-prefix mounting. It imports no feature."""
