// Command goapp is a tiny program whose build information names the Go standard library and
// its own main module (version set with -ldflags "-X main.version=...").
package main

import (
	"fmt"
	"net/http"
)

var version = "dev"

func main() {
	fmt.Println("goapp", version, http.StatusOK)
}
