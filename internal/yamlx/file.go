package yamlx

import (
	"fmt"
	"io"
	"os"
)

// MaxFileBytes is the largest YAML file cpsim reads: 16 MiB, room for a
// scenario that carries several email bodies of a few MiB each (the relay's
// own limit for one message is 8 MiB, docs/relay.md), and a bound on what a
// file from a repository under test can make cpsim hold.
const MaxFileBytes = 16 << 20

// ReadFile reads a YAML file of at most MaxFileBytes. A larger one is
// refused without being read whole, and so is what is not a regular file
// (a named pipe would wait for a writer for ever, a device never ends);
// other errors are os.Stat's, os.Open's and io.Reader's, wrapped
// (errors.Is(err, fs.ErrNotExist) holds for a missing file).
func ReadFile(name string) ([]byte, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &Error{File: name, Msg: "not a regular file (" + kind(info.Mode()) + "): give cpsim a YAML file"}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(src) > MaxFileBytes {
		return nil, tooBig(name)
	}
	return src, nil
}

// kind names what a path is that is not a regular file.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a file"
}

// tooBig is the error for a file past MaxFileBytes.
func tooBig(name string) error {
	return &Error{File: name, Msg: fmt.Sprintf("the file is more than %d MiB: cpsim reads YAML files of up to %d MiB", MaxFileBytes>>20, MaxFileBytes>>20)}
}
