package release

import (
	"archive/tar"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeExecutable is the smallest file debug/elf, debug/macho or debug/pe
// reads as an executable of goos/goarch: a header with no sections.
func fakeExecutable(t *testing.T, goos, goarch string) []byte {
	t.Helper()
	le := binary.LittleEndian
	switch goos {
	case "linux":
		h := make([]byte, 64)
		copy(h, "\x7fELF\x02\x01\x01") // 64-bit, little-endian, version 1
		le.PutUint16(h[16:], 2)        // ET_EXEC
		le.PutUint16(h[18:], map[string]uint16{"amd64": 62, "arm64": 183, "386": 3}[goarch])
		le.PutUint32(h[20:], 1)
		le.PutUint16(h[52:], 64) // e_ehsize
		return h
	case "darwin":
		h := make([]byte, 32)
		le.PutUint32(h[0:], 0xfeedfacf)
		le.PutUint32(h[4:], map[string]uint32{"amd64": 0x01000007, "arm64": 0x0100000c}[goarch])
		le.PutUint32(h[12:], 2) // MH_EXECUTE
		return h
	case "windows":
		h := make([]byte, 0x80+4+20) // debug/pe reads a DOS header of 96 bytes
		copy(h, "MZ")
		le.PutUint32(h[0x3c:], 0x80)
		copy(h[0x80:], "PE\x00\x00")
		le.PutUint16(h[0x84:], map[string]uint16{"amd64": 0x8664, "arm64": 0xaa64}[goarch])
		return h
	}
	t.Fatalf("no fake executable for %s", goos)
	return nil
}

// fakeDist writes a dist directory as GoReleaser leaves it, with a binary
// for each of platforms ("linux/amd64", ...) of the platform each claims
// to be, and returns it.
func fakeDist(t *testing.T, version string, platforms map[string]string) string {
	t.Helper()
	dist := filepath.Join(t.TempDir(), "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	var artifacts []map[string]any
	for claimed, real := range platforms {
		goos, goarch, _ := strings.Cut(claimed, "/")
		realOS, realArch, _ := strings.Cut(real, "/")
		name := "cpsim"
		if goos == "windows" {
			name += ".exe"
		}
		rel := "dist/cpsim_" + goos + "_" + goarch + "/" + name
		file := filepath.Join(filepath.Dir(dist), filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, fakeExecutable(t, realOS, realArch), 0o755); err != nil {
			t.Fatal(err)
		}
		artifacts = append(artifacts, map[string]any{"name": name, "path": rel, "goos": goos, "goarch": goarch, "type": "Binary"})
		artifacts = append(artifacts, map[string]any{"name": "cpsim_" + version + "_" + goos + "_" + goarch + ".tar.gz", "path": "dist/x.tar.gz", "goos": goos, "goarch": goarch, "type": "Archive"})
	}
	writeJSON(t, filepath.Join(dist, "artifacts.json"), artifacts)
	writeJSON(t, filepath.Join(dist, "metadata.json"), map[string]string{"project_name": "cpsim", "version": version})
	return dist
}

func allPlatforms() map[string]string {
	m := map[string]string{}
	for _, p := range Platforms() {
		m[p.GOOS+"/"+p.GOARCH] = p.GOOS + "/" + p.GOARCH
	}
	return m
}

// TestAssembleAndPack: a full release makes seven packages, the six
// platforms' and cpsim, at the release's version, each platform's with its
// binary executable, cpsim's with what its files field lists.
func TestAssembleAndPack(t *testing.T) {
	t.Parallel()
	dist := fakeDist(t, "1.4.0", allPlatforms())
	out := t.TempDir()
	version, staged, err := Assemble(Options{NPM: filepath.Join(root, "npm"), Dist: dist, Out: filepath.Join(out, "staging")})
	if err != nil {
		t.Fatal(err)
	}
	if version != "1.4.0" {
		t.Errorf("version %q", version)
	}
	tarballs, err := Pack(beforeDeadline(t), staged, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tarballs {
		names = append(names, filepath.Base(tb))
	}
	want := []string{
		"cpsim-linux-x64-1.4.0.tgz", "cpsim-linux-arm64-1.4.0.tgz", "cpsim-darwin-x64-1.4.0.tgz",
		"cpsim-darwin-arm64-1.4.0.tgz", "cpsim-win32-x64-1.4.0.tgz", "cpsim-win32-arm64-1.4.0.tgz", "cpsim-1.4.0.tgz",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("tarballs (-want +got):\n%s", diff)
	}

	files := readTarball(t, tarballs[4])
	if diff := cmp.Diff([]string{"package/LICENSE", "package/README.md", "package/bin/cpsim.exe", "package/package.json"}, sortedKeys(files)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", names[4], diff)
	}
	var platform map[string]any
	if err := json.Unmarshal(files["package/package.json"].data, &platform); err != nil {
		t.Fatal(err)
	}
	if platform["name"] != "@cpsim/win32-x64" || platform["version"] != "1.4.0" || files["package/bin/cpsim.exe"].mode&0o111 == 0 {
		t.Errorf("%s: name %v, version %v, binary mode %o", names[4], platform["name"], platform["version"], files["package/bin/cpsim.exe"].mode)
	}

	files = readTarball(t, tarballs[6])
	for _, f := range []string{"package/bin/cpsim.js", "package/lib/binary.js", "package/lib/binary.d.ts", "package/lib/index.js", "package/lib/index.d.ts", "package/LICENSE", "package/README.md"} {
		if _, ok := files[f]; !ok {
			t.Errorf("cpsim's tarball has no %s: %v", f, sortedKeys(files))
		}
	}
	for f := range files {
		if strings.HasPrefix(f, "package/test/") {
			t.Errorf("cpsim's tarball has its tests: %s", f)
		}
	}
	if files["package/bin/cpsim.js"].mode&0o111 == 0 {
		t.Errorf("bin/cpsim.js is packed with mode %o", files["package/bin/cpsim.js"].mode)
	}
	var main struct {
		Version      string            `json:"version"`
		Optional     map[string]string `json:"optionalDependencies"`
		Bin          map[string]string `json:"bin"`
		Scripts      map[string]string `json:"scripts"`
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(files["package/package.json"].data, &main); err != nil {
		t.Fatal(err)
	}
	wantMain := map[string]string{}
	for _, p := range Platforms() {
		wantMain[p.Package()] = "1.4.0"
	}
	if diff := cmp.Diff(wantMain, main.Optional); main.Version != "1.4.0" || diff != "" {
		t.Errorf("cpsim's version %q, optionalDependencies (-want +got):\n%s", main.Version, diff)
	}
	if main.Bin["cpsim"] != "bin/cpsim.js" || len(main.Scripts) > 0 || len(main.Dependencies) > 0 {
		t.Errorf("cpsim's bin %v, scripts %v, dependencies %v: want bin/cpsim.js, no install scripts, no dependencies", main.Bin, main.Scripts, main.Dependencies)
	}
}

type tarFile struct {
	data []byte
	mode int64
}

func readTarball(t *testing.T, file string) map[string]tarFile {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]tarFile{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = tarFile{data, h.Mode}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestAssembleRefuses: what is wrong with a release is said, with the file,
// before anything is staged.
func TestAssembleRefuses(t *testing.T) {
	t.Parallel()
	only := func(p ...string) map[string]string {
		m := map[string]string{}
		for _, k := range p {
			m[k] = k
		}
		return m
	}
	mixedUp := allPlatforms()
	mixedUp["darwin/arm64"] = "darwin/amd64"
	wrongOS := allPlatforms()
	wrongOS["windows/arm64"] = "linux/arm64"
	tests := []struct {
		name    string
		dist    func(t *testing.T) string
		npm     func(t *testing.T) string // nil: the repository's
		out     func(t *testing.T) string // nil: a new directory
		partial bool
		want    string
	}{
		{name: "no dist", dist: func(t *testing.T) string { return filepath.Join(t.TempDir(), "dist") },
			want: "read the release's version: open"},
		{name: "a version with a v", dist: func(t *testing.T) string { return fakeDist(t, "v1.4.0", allPlatforms()) },
			want: `version "v1.4.0" is not a version npm accepts`},
		{name: "a version npm refuses", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0-01", allPlatforms()) },
			want: `version "1.4.0-01" is not a version npm accepts`},
		{name: "a platform missing", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", only("linux/amd64", "darwin/arm64")) },
			want: "has no cpsim binary for linux/arm64, darwin/amd64, windows/amd64, windows/arm64: a release needs all six"},
		{name: "no platform at all, even partial", partial: true, dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", only()) },
			want: "lists no cpsim binary of any platform"},
		{name: "binaries mixed up", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", mixedUp) },
			want: "the binary for darwin/arm64, " /* its path */},
		{name: "a Linux binary for Windows", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", wrongOS) },
			want: "is a linux/arm64 executable"},
		{name: "a binary that is gone", dist: func(t *testing.T) string {
			dist := fakeDist(t, "1.4.0", allPlatforms())
			os.Remove(filepath.Join(filepath.Dir(dist), "dist", "cpsim_linux_arm64", "cpsim"))
			return dist
		}, want: "the binary for linux/arm64: stat "},
		{name: "a binary that is not one", dist: func(t *testing.T) string {
			dist := fakeDist(t, "1.4.0", allPlatforms())
			os.WriteFile(filepath.Join(filepath.Dir(dist), "dist", "cpsim_linux_arm64", "cpsim"), []byte("#!/bin/sh\n"), 0o755)
			return dist
		}, want: "is not an executable (ELF, Mach-O or PE)"},
		{name: "output not empty", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", allPlatforms()) },
			out: func(t *testing.T) string {
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, "old.tgz"), nil, 0o644)
				return dir
			}, want: "is not empty"},
		{name: "a manifest in the wrong directory", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", allPlatforms()) },
			npm: func(t *testing.T) string {
				npm := copyNPM(t)
				os.WriteFile(filepath.Join(npm, "@cpsim", "linux-arm64", "package.json"), []byte(`{"name": "@cpsim/linux-x64", "version": "0.0.0"}`), 0o644)
				return npm
			}, want: `name "@cpsim/linux-x64", want "@cpsim/linux-arm64"`},
		{name: "optionalDependencies short of one", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", allPlatforms()) },
			npm: func(t *testing.T) string {
				npm := copyNPM(t)
				file := filepath.Join(npm, "cpsim", "package.json")
				src, _ := os.ReadFile(file)
				os.WriteFile(file, []byte(strings.Replace(string(src), `"@cpsim/win32-x64": "0.0.0"`, `"left-pad": "0.0.0"`, 1)), 0o644)
				return npm
			}, want: "optionalDependencies are"},
		{name: "a manifest that is not JSON", dist: func(t *testing.T) string { return fakeDist(t, "1.4.0", allPlatforms()) },
			npm: func(t *testing.T) string {
				npm := copyNPM(t)
				os.WriteFile(filepath.Join(npm, "cpsim", "package.json"), []byte(`{"name": "cpsim",`), 0o644)
				return npm
			}, want: filepath.Join("cpsim", "package.json") + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := Options{NPM: filepath.Join(root, "npm"), Dist: tt.dist(t), Out: filepath.Join(t.TempDir(), "out"), Partial: tt.partial}
			if tt.npm != nil {
				o.NPM = tt.npm(t)
			}
			if tt.out != nil {
				o.Out = tt.out(t)
			}
			_, _, err := Assemble(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Assemble: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// copyNPM copies the repository's npm directory, for a test to spoil.
func copyNPM(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "npm")
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(root, "npm"))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestReadGoreleaserOutput reads the artifacts.json and metadata.json of a
// real run of GoReleaser 2.15.1 (goreleaser release --snapshot, kept in
// testdata): the binaries by platform, with the paths made from the
// directory dist is in, and the version.
func TestReadGoreleaserOutput(t *testing.T) {
	t.Parallel()
	dist := filepath.Join("testdata", "goreleaser-2.15.1")
	version, err := readVersion(filepath.Join(dist, "metadata.json"))
	if err != nil || version != "0.0.1-snapshot-none" {
		t.Errorf("readVersion = %q, %v", version, err)
	}
	got, err := readBinaries(dist)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"linux/amd64":   filepath.Join("testdata", "dist", "cpsim_linux_amd64_v1", "cpsim"),
		"linux/arm64":   filepath.Join("testdata", "dist", "cpsim_linux_arm64_v8.0", "cpsim"),
		"darwin/amd64":  filepath.Join("testdata", "dist", "cpsim_darwin_amd64_v1", "cpsim"),
		"darwin/arm64":  filepath.Join("testdata", "dist", "cpsim_darwin_arm64_v8.0", "cpsim"),
		"windows/amd64": filepath.Join("testdata", "dist", "cpsim_windows_amd64_v1", "cpsim.exe"),
		"windows/arm64": filepath.Join("testdata", "dist", "cpsim_windows_arm64_v8.0", "cpsim.exe"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readBinaries (-want +got):\n%s", diff)
	}
}
