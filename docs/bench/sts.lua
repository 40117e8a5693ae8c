-- wrk script: STS AssumeRoleWithSAML with one assertion (STS, like AWS, accepts
-- an assertion again while it is valid). The body is read from sts-body.txt,
-- which run-http.sh writes.
local f = io.open("sts-body.txt", "r")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
