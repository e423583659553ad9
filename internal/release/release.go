// Package release makes cpsim's npm packages from the binaries of a
// release: the esbuild pattern, in which a Go program reaches JavaScript
// projects as one small npm package per platform (@cpsim/linux-x64, ...),
// each holding only its binary and installed by npm as an optional
// dependency of the package cpsim, whose bin runs the right one. Nothing is
// downloaded after npm install, so it works where CI reaches only its
// registry.
//
// Assemble stages the packages from GoReleaser's dist directory (its
// artifacts.json and metadata.json) and the manifests kept in the
// repository's npm directory; Pack runs npm pack on each. The command
// internal/release/npmpack runs both; docs/release.md says when.
package release

import (
	"bytes"
	"cmp"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Platform is one platform cpsim is released for, in Go's words and in
// Node's.
type Platform struct {
	GOOS, GOARCH string // as GoReleaser builds: linux, amd64
	OS, CPU      string // as Node names them (process.platform, process.arch) and npm's os and cpu fields: linux, x64
}

// Package is the npm package of the platform's binary: @cpsim/linux-x64.
func (p Platform) Package() string { return "@cpsim/" + p.OS + "-" + p.CPU }

// Binary is where the binary is in its package: bin/cpsim, or
// bin/cpsim.exe on Windows. npm/cpsim/lib/binary.js looks for it there.
func (p Platform) Binary() string {
	if p.GOOS == "windows" {
		return "bin/cpsim.exe"
	}
	return "bin/cpsim"
}

// Platforms are the six platforms of .goreleaser.yaml (linux, darwin and
// windows, each on amd64 and arm64), in the order the packages are listed.
// The same six are npm/cpsim/package.json's optionalDependencies and the
// table of npm/cpsim/lib/binary.js; the tests check all three.
func Platforms() []Platform {
	return []Platform{
		{"linux", "amd64", "linux", "x64"},
		{"linux", "arm64", "linux", "arm64"},
		{"darwin", "amd64", "darwin", "x64"},
		{"darwin", "arm64", "darwin", "arm64"},
		{"windows", "amd64", "win32", "x64"},
		{"windows", "arm64", "win32", "arm64"},
	}
}

// Options say where Assemble reads and writes.
type Options struct {
	NPM  string // the repository's npm directory: npm/cpsim and npm/@cpsim/<os>-<cpu>, manifests at version 0.0.0
	Dist string // GoReleaser's dist directory, with artifacts.json and metadata.json
	Out  string // where the packages are staged, one directory each; made, and must be empty if it exists
	// Partial allows platforms with no binary in Dist, as after
	// goreleaser build --single-target: their packages are not made, and
	// the package cpsim still lists them. A release leaves it false.
	Partial bool
}

// Staged is one package Assemble staged.
type Staged struct {
	Name     string    // cpsim, @cpsim/linux-x64, ...
	Dir      string    // its directory under Options.Out
	Platform *Platform // nil for the package cpsim
}

// Assemble stages cpsim's npm packages from a release's binaries: one per
// platform with a binary in o.Dist (all six unless o.Partial), then cpsim
// itself, in the order they are to be published. Each gets the release's
// version (metadata.json's, which must be a valid npm version); cpsim's
// optionalDependencies name the same version. It checks each binary's
// executable format and architecture against its platform, so that a
// mix-up cannot ship. Errors name the file at fault.
func Assemble(o Options) (version string, staged []Staged, err error) {
	version, err = readVersion(filepath.Join(o.Dist, "metadata.json"))
	if err != nil {
		return "", nil, err
	}
	binaries, err := readBinaries(o.Dist)
	if err != nil {
		return "", nil, err
	}
	var present []Platform
	var missing []string
	for _, p := range Platforms() {
		if _, ok := binaries[p.GOOS+"/"+p.GOARCH]; ok {
			present = append(present, p)
		} else {
			missing = append(missing, p.GOOS+"/"+p.GOARCH)
		}
	}
	if len(present) == 0 {
		return "", nil, fmt.Errorf("%s lists no cpsim binary of any platform (%s)", filepath.Join(o.Dist, "artifacts.json"), strings.Join(missing, ", "))
	}
	if len(missing) > 0 && !o.Partial {
		return "", nil, fmt.Errorf("%s has no cpsim binary for %s: a release needs all six (a --single-target snapshot: use -partial)", filepath.Join(o.Dist, "artifacts.json"), strings.Join(missing, ", "))
	}
	if err := emptyDir(o.Out); err != nil {
		return "", nil, err
	}
	for _, p := range present {
		s, err := stagePlatform(o, p, binaries[p.GOOS+"/"+p.GOARCH], version)
		if err != nil {
			return "", nil, err
		}
		staged = append(staged, s)
	}
	s, err := stageMain(o, version)
	if err != nil {
		return "", nil, err
	}
	return version, append(staged, s), nil
}

// npmVersion is a version npm accepts (semver 2.0.0, no leading v).
var npmVersion = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?` +
	`(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`)

// readVersion reads the version of GoReleaser's metadata.json.
func readVersion(file string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read the release's version: %w (run goreleaser first)", err)
	}
	var m struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(src, &m); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	if !npmVersion.MatchString(m.Version) {
		return "", fmt.Errorf("%s: version %q is not a version npm accepts, such as 1.4.0 or 1.4.1-snapshot-d13e9c7", file, m.Version)
	}
	return m.Version, nil
}

// readBinaries reads GoReleaser's artifacts.json: the cpsim binaries by
// GOOS/GOARCH, their paths made usable from here. GoReleaser writes paths
// relative to the project, the directory dist is in.
func readBinaries(dist string) (map[string]string, error) {
	file := filepath.Join(dist, "artifacts.json")
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the release's binaries: %w (run goreleaser first)", err)
	}
	var artifacts []struct {
		Name   string `json:"name"`
		Path   string `json:"path"`
		GOOS   string `json:"goos"`
		GOARCH string `json:"goarch"`
		Type   string `json:"type"`
	}
	if err := json.Unmarshal(src, &artifacts); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	binaries := map[string]string{}
	for _, a := range artifacts {
		if a.Type != "Binary" || (a.Name != "cpsim" && a.Name != "cpsim.exe") {
			continue
		}
		key := a.GOOS + "/" + a.GOARCH
		if _, dup := binaries[key]; dup {
			return nil, fmt.Errorf("%s lists two cpsim binaries for %s", file, key)
		}
		path := filepath.FromSlash(a.Path)
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(dist), path)
		}
		binaries[key] = path
	}
	return binaries, nil
}

// emptyDir makes dir, or checks that it is empty: a package staged over
// an earlier one would carry its files.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: remove it, or give another -out", dir)
	}
	return nil
}

// stagePlatform stages p's package: the repository's manifest and README
// with the version set, cpsim's LICENSE, and the binary, executable.
func stagePlatform(o Options, p Platform, bin string, version string) (Staged, error) {
	if err := checkExecutable(bin, p); err != nil {
		return Staged{}, err
	}
	src := filepath.Join(o.NPM, filepath.FromSlash(p.Package()))
	dir := filepath.Join(o.Out, "cpsim-"+p.OS+"-"+p.CPU)
	manifest, err := stampManifest(filepath.Join(src, "package.json"), p.Package(), version, nil)
	if err != nil {
		return Staged{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return Staged{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), manifest, 0o644); err != nil {
		return Staged{}, err
	}
	for _, f := range []struct{ from, to string }{
		{filepath.Join(src, "README.md"), "README.md"},
		{filepath.Join(o.NPM, "cpsim", "LICENSE"), "LICENSE"},
	} {
		if err := copyFile(f.from, filepath.Join(dir, f.to), 0o644); err != nil {
			return Staged{}, err
		}
	}
	if err := copyFile(bin, filepath.Join(dir, filepath.FromSlash(p.Binary())), 0o755); err != nil {
		return Staged{}, err
	}
	return Staged{Name: p.Package(), Dir: dir, Platform: &p}, nil
}

// stageMain stages the package cpsim: npm/cpsim as it is (npm pack takes
// what its files field lists), with the version set in its manifest and
// in its optionalDependencies.
func stageMain(o Options, version string) (Staged, error) {
	src := filepath.Join(o.NPM, "cpsim")
	dir := filepath.Join(o.Out, "cpsim")
	var names []string
	for _, p := range Platforms() {
		names = append(names, p.Package())
	}
	manifest, err := stampManifest(filepath.Join(src, "package.json"), "cpsim", version, names)
	if err != nil {
		return Staged{}, err
	}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && d.Name() == "node_modules":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		case rel == "package.json":
			return os.WriteFile(filepath.Join(dir, rel), manifest, 0o644)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file: the package holds only files", path)
		}
		mode := fs.FileMode(0o644)
		if info, err := d.Info(); err == nil && info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		return copyFile(path, filepath.Join(dir, rel), mode)
	})
	if err != nil {
		return Staged{}, err
	}
	return Staged{Name: "cpsim", Dir: dir}, nil
}

// stampManifest returns the package.json in file with its version set,
// and, when deps is given, its optionalDependencies set to exactly deps at
// the same version. The keys keep their order; the name must be name, so
// that a manifest in the wrong directory is not published.
func stampManifest(file, name, version string, deps []string) ([]byte, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	fields, err := objectFields(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var gotName string
	var hasVersion, hasDeps bool
	for i, f := range fields {
		switch f.key {
		case "name":
			if err := json.Unmarshal(f.value, &gotName); err != nil {
				return nil, fmt.Errorf("%s: name: %w", file, err)
			}
		case "version":
			hasVersion = true
			fields[i].value, _ = json.Marshal(version)
		case "optionalDependencies":
			if deps == nil {
				return nil, fmt.Errorf("%s: a platform's package has no optionalDependencies", file)
			}
			hasDeps = true
			listed, err := objectFields(f.value)
			if err != nil {
				return nil, fmt.Errorf("%s: optionalDependencies: %w", file, err)
			}
			var keys []string
			for j := range listed {
				keys = append(keys, listed[j].key)
				listed[j].value, _ = json.Marshal(version)
			}
			if !sameSet(keys, deps) {
				return nil, fmt.Errorf("%s: optionalDependencies are %s, want %s (internal/release's Platforms)", file, strings.Join(keys, ", "), strings.Join(deps, ", "))
			}
			fields[i].value = encodeObject(listed)
		}
	}
	switch {
	case gotName != name:
		return nil, fmt.Errorf("%s: name %q, want %q", file, gotName, name)
	case !hasVersion:
		return nil, fmt.Errorf("%s: no version field", file)
	case deps != nil && !hasDeps:
		return nil, fmt.Errorf("%s: no optionalDependencies", file)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, encodeObject(fields), "", "  "); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// field is one key of a JSON object, its value as written.
type field struct {
	key   string
	value json.RawMessage
}

// objectFields splits a JSON object into its fields, in order.
func objectFields(src []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var fields []field
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("%q appears twice", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		fields = append(fields, field{key, value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the object")
	}
	return fields, nil
}

// encodeObject writes fields as a compact JSON object.
func encodeObject(fields []field) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(f.key)
		b.Write(key)
		b.WriteByte(':')
		b.Write(f.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// checkExecutable checks that file is an executable of p's format and
// architecture: ELF for linux, Mach-O for darwin, PE for windows.
func checkExecutable(file string, p Platform) error {
	type machine struct {
		format, arch string
	}
	var got machine
	if f, err := elf.Open(file); err == nil {
		got = machine{"linux", map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]}
		f.Close()
	} else if f, err := macho.Open(file); err == nil {
		got = machine{"darwin", map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]}
		f.Close()
	} else if f, err := pe.Open(file); err == nil {
		got = machine{"windows", map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64"}[f.Machine]}
		f.Close()
	} else if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("the binary for %s/%s: %w", p.GOOS, p.GOARCH, err)
	} else {
		return fmt.Errorf("the binary for %s/%s, %s, is not an executable (ELF, Mach-O or PE)", p.GOOS, p.GOARCH, file)
	}
	if got != (machine{p.GOOS, p.GOARCH}) {
		return fmt.Errorf("the binary for %s/%s, %s, is a %s/%s executable", p.GOOS, p.GOARCH, file, got.format, cmp.Or(got.arch, "unknown"))
	}
	return nil
}

// copyFile copies from to to, with mode.
func copyFile(from, to string, mode fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(to, mode) // past the umask: npm pack keeps the executable bit
}
