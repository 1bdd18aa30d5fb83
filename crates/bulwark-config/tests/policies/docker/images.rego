# Conftest-style Dockerfile policy in the pre-1.0 (v0) Rego syntax that most public policy
# libraries still use.
package main

blocked_images = ["openjdk", "ubuntu"]

deny[msg] {
  input[i].Cmd == "from"
  image := input[i].Value[0]
  startswith(image, blocked_images[_])
  msg = sprintf("base image %s is not allowed", [image])
}

warn[msg] {
  input[i].Cmd == "run"
  contains(input[i].Value[0], "curl")
  msg = sprintf("line %d: prefer COPY of vendored artifacts over curl", [input[i].StartLine])
}

deny_maintainer[res] {
  input[i].Cmd == "maintainer"
  res := {"msg": "MAINTAINER is not allowed", "id": "ORG-DF-1", "severity": "LOW", "line": input[i].StartLine}
}
