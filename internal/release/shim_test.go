//go:build unix

package release

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shim is npm/cpsim/bin/cpsim.js, the package's bin.
var shim = filepath.Join(root, "npm", "cpsim", "bin", "cpsim.js")

// shimCommand runs the bin with CPSIM_BINARY set to binary, as npx cpsim
// runs it.
func shimCommand(t *testing.T, binary string, args ...string) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH: the package's bin needs Node.js 18 or later (apt-get install -y nodejs npm)")
	}
	cmd := exec.CommandContext(beforeDeadline(t), "node", append([]string{shim}, args...)...)
	cmd.Env = append(os.Environ(), "CPSIM_BINARY="+binary)
	cmd.WaitDelay = 10 * time.Second
	// A group of its own, ended with a failed test: a bin that fails to
	// pass a signal on leaves no child behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t.Cleanup(func() {
		if t.Failed() && cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	return cmd
}

// TestShimPassesThrough: the bin gives the binary its arguments, standard
// input and output, and ends as it ends.
func TestShimPassesThrough(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "none")
	notExecutable := filepath.Join(dir, "cpsim")
	if err := os.WriteFile(notExecutable, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		binary string
		args   []string
		stdin  string
		code   int            // exit code, when not killed
		signal syscall.Signal // the signal the bin dies of, or 0
		stdout string
		stderr string // part of it
	}{
		{name: "arguments as given, and the exit code", binary: sh, args: []string{"-c", `printf '%s|' "$@"; exit 7`, "sh", "-version", "two words", ""},
			code: 7, stdout: "-version|two words||"},
		{name: "success", binary: sh, args: []string{"-c", "exit 0"}, code: 0},
		{name: "standard input", binary: sh, args: []string{"-c", "cat"}, stdin: "line one\nline two\n", stdout: "line one\nline two\n"},
		{name: "standard error", binary: sh, args: []string{"-c", "echo oops >&2; exit 2"}, code: 2, stderr: "oops\n"},
		{name: "killed by a signal: the bin dies of it too", binary: sh, args: []string{"-c", "kill -TERM $$"}, signal: syscall.SIGTERM},
		{name: "killed by SIGKILL", binary: sh, args: []string{"-c", "kill -KILL $$"}, signal: syscall.SIGKILL},
		{name: "CPSIM_BINARY that is not there", binary: missing, code: 1,
			stderr: `cpsim: CPSIM_BINARY is "` + missing + `", which is not a file`},
		{name: "a binary that cannot run", binary: notExecutable, code: 1, stderr: "cpsim: cannot run " + notExecutable + ": spawn " + notExecutable + " EACCES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := shimCommand(t, tt.binary, tt.args...)
			cmd.Stdin = strings.NewReader(tt.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			switch {
			case tt.signal != 0 && (!ws.Signaled() || ws.Signal() != tt.signal):
				t.Errorf("the bin ended with %v (%v), want killed by %v", ws, err, tt.signal)
			case tt.signal == 0 && cmd.ProcessState.ExitCode() != tt.code:
				t.Errorf("exit code %d (%v), want %d; stderr:\n%s", cmd.ProcessState.ExitCode(), err, tt.code, stderr.Bytes())
			}
			if got := stdout.String(); got != tt.stdout {
				t.Errorf("stdout %q, want %q", got, tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr.Bytes(), tt.stderr)
			}
		})
	}
}

// TestShimPassesSignals: a signal sent to the bin (a test runner's SIGTERM,
// Ctrl-C) reaches cpsim, which stops as it likes; the bin then ends as
// cpsim ended.
func TestShimPassesSignals(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		signal syscall.Signal
		trap   string // its name in sh
		code   int
	}{
		{syscall.SIGTERM, "TERM", 42},
		{syscall.SIGINT, "INT", 43},
		{syscall.SIGHUP, "HUP", 44},
	} {
		t.Run(tt.signal.String(), func(t *testing.T) {
			t.Parallel()
			// The child says ready once its trap is set; wait returns as
			// soon as a trapped signal comes.
			script := fmt.Sprintf(`sleep 600 & trap 'kill $!; exit %d' %s; echo ready; wait`, tt.code, tt.trap)
			cmd := shimCommand(t, sh, "-c", script)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("the child said %q (%v), want ready; stderr:\n%s", line, err, stderr.Bytes())
			}
			if err := cmd.Process.Signal(tt.signal); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Errorf("after %v the bin ended with %v (%v), want exit code %d as the child's; stderr:\n%s", tt.signal, cmd.ProcessState, err, tt.code, stderr.Bytes())
			}
		})
	}
}
