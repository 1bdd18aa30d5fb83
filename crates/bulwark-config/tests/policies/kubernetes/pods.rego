# Conftest-style Kubernetes policy in Rego v1 syntax, in its own package.
package kubernetes.workloads

import rego.v1

deny contains msg if {
  input.kind == "Deployment"
  not input.spec.template.spec.securityContext.runAsNonRoot
  msg := sprintf("Deployment %s must set runAsNonRoot on the pod", [input.metadata.name])
}

violation contains res if {
  input.kind == "Pod"
  some i, c in input.spec.containers
  not registry_allowed(c.image)
  res := {
    "msg": sprintf("container %s uses image %s from a registry outside the allow list", [c.name, c.image]),
    "id": "ORG-K8S-7",
    "path": sprintf("spec.containers[%d].image", [i]),
  }
}

registry_allowed(image) if {
  some prefix in data.registries.allowed
  startswith(image, prefix)
}
