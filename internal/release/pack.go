package release

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Pack runs npm pack on each staged package, in order, writing the
// tarballs to dest (made if need be), and returns their paths: the
// platform packages' first, as they are to be published before cpsim
// names them. It checks that each platform's tarball holds its binary,
// executable. env is npm's environment (nil: this process's); npm pack
// reads only the staged files, and runs no package scripts.
func Pack(ctx context.Context, staged []Staged, dest string, env []string) ([]string, error) {
	dest, err := filepath.Abs(dest)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, err
	}
	if env == nil {
		env = os.Environ()
	}
	env = append(env[:len(env):len(env)], "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
	var tarballs []string
	for _, s := range staged {
		cmd := exec.CommandContext(ctx, "npm", "pack", "--json", "--ignore-scripts", "--pack-destination", dest)
		cmd.Dir = s.Dir
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("npm pack in %s: %w\n%s", s.Dir, err, stderr.Bytes())
		}
		var out []struct {
			Filename string       `json:"filename"`
			Files    []packedFile `json:"files"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out) != 1 {
			return nil, fmt.Errorf("npm pack in %s: cannot read what it says it packed (%v):\n%s", s.Dir, err, stdout.Bytes())
		}
		if s.Platform != nil {
			if err := holdsExecutable(out[0].Files, s.Platform.Binary()); err != nil {
				return nil, fmt.Errorf("npm pack in %s: %w", s.Dir, err)
			}
		}
		tarballs = append(tarballs, filepath.Join(dest, out[0].Filename))
	}
	return tarballs, nil
}

// packedFile is a file npm pack --json lists.
type packedFile struct {
	Path string `json:"path"`
	Mode int    `json:"mode"` // as npm will write it to the tarball
}

// holdsExecutable checks that files list binary, executable.
func holdsExecutable(files []packedFile, binary string) error {
	for _, f := range files {
		if f.Path == binary {
			if f.Mode&0o111 == 0 {
				return fmt.Errorf("%s is packed with mode %o, not executable", binary, f.Mode)
			}
			return nil
		}
	}
	return fmt.Errorf("the tarball has no %s", binary)
}
