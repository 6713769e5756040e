//go:build !unix

package realclients_test

import "os/exec"

// ownProcessGroup: elsewhere the default cancellation (kill the child) is all there is.
func ownProcessGroup(*exec.Cmd) {}
