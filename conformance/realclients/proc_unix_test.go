//go:build unix

package realclients_test

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the child in its own process group and makes cancellation send SIGTERM
// to the whole group (node and anything it started); exec's WaitDelay then SIGKILLs node.
// Playwright closes Chromium on SIGTERM, and Chromium exits when its pipe to node closes.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
}
