package release

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"
)

// root is the repository, from this package's directory.
const root = "../.."

// beforeDeadline returns a context that ends a little before the test
// binary's deadline (go test -timeout), or after an hour when it has none:
// a safety net only, so that a hung command fails with its own output.
func beforeDeadline(t *testing.T) context.Context {
	t.Helper()
	end := time.Now().Add(time.Hour)
	if d, ok := t.Deadline(); ok {
		end = d.Add(-min(time.Until(d)/10, 30*time.Second))
	}
	ctx, cancel := context.WithDeadline(context.Background(), end)
	t.Cleanup(cancel)
	return ctx
}

// goreleaserBuild is the part of .goreleaser.yaml's build that makes the
// binary.
type goreleaserBuild struct {
	ID      string   `yaml:"id"`
	Main    string   `yaml:"main"`
	Binary  string   `yaml:"binary"`
	Env     []string `yaml:"env"`
	Flags   []string `yaml:"flags"`
	Ldflags []string `yaml:"ldflags"`
	Goos    []string `yaml:"goos"`
	Goarch  []string `yaml:"goarch"`
}

// readGoreleaser reads .goreleaser.yaml's one build, and its checksum
// and archive names.
func readGoreleaser(t *testing.T) (goreleaserBuild, map[string]any) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int               `yaml:"version"`
		Builds  []goreleaserBuild `yaml:"builds"`
	}
	if err := yaml.Unmarshal(src, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 {
		t.Fatalf(".goreleaser.yaml: version %d with %d builds; want version 2 with one build, cpsim's", cfg.Version, len(cfg.Builds))
	}
	var all map[string]any
	if err := yaml.Unmarshal(src, &all); err != nil {
		t.Fatal(err)
	}
	return cfg.Builds[0], all
}

// ldflags renders the build's ldflags as GoReleaser does, for the
// template fields they may use.
func (b goreleaserBuild) ldflags(fields map[string]string) (string, error) {
	var out []string
	for _, f := range b.Ldflags {
		tmpl, err := template.New("ldflags").Option("missingkey=error").Parse(f)
		if err != nil {
			return "", err
		}
		var s strings.Builder
		if err := tmpl.Execute(&s, fields); err != nil {
			return "", fmt.Errorf("%s: %w (the round trip renders only %s)", f, err, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		}
		out = append(out, s.String())
	}
	return strings.Join(out, " "), nil
}

// TestGoreleaserConfig: the release builds the six platforms of
// Platforms, static and without build paths, with the version in the
// binary, and checksums them. goreleaser check validates the rest
// (docs/release.md); compiling GoReleaser takes too long for every test run.
func TestGoreleaserConfig(t *testing.T) {
	t.Parallel()
	b, all := readGoreleaser(t)
	var want, got []string
	for _, p := range Platforms() {
		want = append(want, p.GOOS+"/"+p.GOARCH)
	}
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			got = append(got, goos+"/"+goarch)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the release builds %v, want %v (internal/release's Platforms, and the npm packages)", got, want)
	}
	if b.Main != "./cmd/cpsim" || b.Binary != "cpsim" {
		t.Errorf("builds %s as %s, want ./cmd/cpsim as cpsim", b.Main, b.Binary)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("env %v, flags %v: want CGO_ENABLED=0 (a static binary) and -trimpath", b.Env, b.Flags)
	}
	ld, err := b.ldflags(map[string]string{"Version": "V", "FullCommit": "C", "CommitDate": "D"})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{"-X main.version=V", "-X main.commit=C", "-X main.date=D"} {
		if !strings.Contains(ld, x) {
			t.Errorf("ldflags %q do not set %s", ld, x)
		}
	}
	if _, ok := all["checksum"]; !ok {
		t.Error("no checksum section: the release needs its checksums file")
	}
}

// TestNPMRoundTrip is the round trip of issue 13: build cpsim for this
// machine as the release does, stage and npm pack its packages, install
// the tarballs into a new project with no network and an empty npm cache,
// and run npx cpsim -version and npx cpsim test on a built-in scenario
// against the built-in demos, in headless Chromium.
//
// The binary is built with go build and the flags .goreleaser.yaml gives,
// not by GoReleaser: compiling GoReleaser on a fresh cache takes far
// longer than the rest of the tests (docs/release.md has the numbers).
// The test needs npm; without it, it fails rather than skips, so that the
// round trip cannot quietly stop being tested.
func TestNPMRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"node", "npm", "npx", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on PATH: the npm round trip needs Node.js 18 or later with npm (apt-get install -y nodejs npm) and Go", tool)
		}
	}
	plat := hostPlatform(t)
	ctx := beforeDeadline(t)
	work := t.TempDir()

	// 1. The release's binary for this machine, where GoReleaser puts it.
	const version = "0.0.1-roundtrip"
	const commit = "0123456789abcdef0123456789abcdef01234567"
	const date = "2026-12-01T12:00:00Z"
	b, _ := readGoreleaser(t)
	ld, err := b.ldflags(map[string]string{"Version": version, "FullCommit": commit, "Commit": commit, "ShortCommit": commit[:7], "CommitDate": date, "Date": date})
	if err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(work, "project", "dist")
	binDir := fmt.Sprintf("%s_%s_%s", b.ID, plat.GOOS, plat.GOARCH)
	bin := filepath.Join(dist, binDir, b.Binary+exeSuffix(plat))
	args := append([]string{"build"}, b.Flags...)
	args = append(args, "-ldflags", ld, "-o", bin, b.Main)
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = root
	build.Env = append(os.Environ(), b.Env...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if plat.GOOS == "linux" {
		checkStatic(t, bin)
	}
	writeJSON(t, filepath.Join(dist, "metadata.json"), map[string]any{
		"project_name": "cpsim", "tag": "v0.0.0", "version": version, "commit": commit, "date": date,
		"runtime": map[string]string{"goos": runtime.GOOS, "goarch": runtime.GOARCH},
	})
	writeJSON(t, filepath.Join(dist, "artifacts.json"), []map[string]any{
		{"name": b.Binary + exeSuffix(plat), "path": "dist/" + binDir + "/" + b.Binary + exeSuffix(plat),
			"goos": plat.GOOS, "goarch": plat.GOARCH, "internal_type": 4, "type": "Binary",
			"extra": map[string]string{"Binary": b.Binary, "ID": b.ID}},
		{"name": "checksums.txt", "path": "dist/checksums.txt", "internal_type": 12, "type": "Checksum"},
	})

	// 2. The packages, as internal/release/npmpack makes them.
	env := npmEnv(t, work)
	got, staged, err := Assemble(Options{NPM: filepath.Join(root, "npm"), Dist: dist, Out: filepath.Join(work, "staging"), Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if got != version || len(staged) != 2 || staged[0].Name != plat.Package() || staged[1].Name != "cpsim" {
		t.Fatalf("Assemble: version %q, staged %+v; want %s, then %s and cpsim", got, staged, version, plat.Package())
	}
	tarballs, err := Pack(ctx, staged, filepath.Join(work, "tarballs"), env)
	if err != nil {
		t.Fatal(err)
	}

	// 3. A new project installs them with no network. From a registry npm
	// would fetch the manifests of all six platform packages and skip the
	// five whose os and cpu do not match; offline it cannot fetch any, and
	// skips them all, since a failed optional dependency is not an error.
	// So this machine's platform package is installed by its tarball,
	// beside cpsim's, and satisfies cpsim's optional dependency on it.
	app := filepath.Join(work, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "package.json"), []byte(`{"name": "cpsim-roundtrip", "private": true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	npm(t, ctx, app, env, "npm", append([]string{"install"}, tarballs...)...)
	installed, err := os.ReadDir(filepath.Join(app, "node_modules", "@cpsim"))
	if err != nil || len(installed) != 1 || "@cpsim/"+installed[0].Name() != plat.Package() {
		t.Errorf("node_modules/@cpsim holds %v (%v), want %s alone", installed, err, plat.Package())
	}

	// 4. npx cpsim runs the binary of the platform package.
	out := npm(t, ctx, app, env, "npx", "cpsim", "-version")
	wantVersion := fmt.Sprintf("cpsim %s (commit %s, %s, %s %s/%s)\n", version, commit, date, runtime.Version(), plat.GOOS, plat.GOARCH)
	if out != wantVersion {
		t.Errorf("npx cpsim -version printed %q, want %q", out, wantVersion)
	}
	out = npm(t, ctx, app, env, "node", "--input-type=module", "-e", `import { binaryPath } from "cpsim"; process.stdout.write(binaryPath());`)
	if want := filepath.Join(app, "node_modules", filepath.FromSlash(plat.Package()), filepath.FromSlash(plat.Binary())); !samePath(out, want) {
		t.Errorf(`binaryPath() from "cpsim" = %q, want %q`, out, want)
	}
	checkTypes(t, ctx, app, env)

	// 5. The extension tests of the README, on the built-in demos.
	out = npm(t, ctx, app, env, "npx", "cpsim", "test", "-speed", "10", "-patience", "3", "inbound-call")
	for _, want := range []string{"PASS inbound-call.yaml", "1 scenario: 1 passed, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("npx cpsim test inbound-call: no %q in\n%s", want, out)
		}
	}

	// 6. Without its platform package, cpsim says which one and why.
	pkgDir := filepath.Join(app, "node_modules", filepath.FromSlash(plat.Package()))
	if err := os.Rename(pkgDir, pkgDir+".away"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "npx", "cpsim", "-version")
	cmd.Dir, cmd.Env = app, env
	all, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(all), "in the package "+plat.Package()+", which is not installed") ||
		!strings.Contains(string(all), "--omit=optional") {
		t.Errorf("npx cpsim -version with no platform package: exit code %d (%v), output:\n%s\nwant 1, naming %s and --omit=optional", code, err, all, plat.Package())
	}
}

// hostPlatform is this machine's entry of Platforms.
func hostPlatform(t *testing.T) Platform {
	t.Helper()
	for _, p := range Platforms() {
		if p.GOOS == runtime.GOOS && p.GOARCH == runtime.GOARCH {
			return p
		}
	}
	t.Fatalf("cpsim is not released for %s/%s, this machine: there is no npm package to test", runtime.GOOS, runtime.GOARCH)
	return Platform{}
}

func exeSuffix(p Platform) string {
	if p.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// checkStatic fails the test when the Linux binary at file needs a dynamic
// loader or shared libraries: the npm packages run on any distribution,
// musl ones included.
func checkStatic(t *testing.T, file string) {
	t.Helper()
	f, err := elf.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: not static (CGO_ENABLED=0?)", file)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs %v: not static", file, libs)
	}
}

func writeJSON(t *testing.T, file string, v any) {
	t.Helper()
	src, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
}

// npmEnv is the environment of every npm, npx and node the round trip
// runs: this process's without its npm settings, an empty cache and user
// config under work, offline, and a registry that fails the test if npm
// asks it anything.
func npmEnv(t *testing.T, work string) []string {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	registry := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.String())
		mu.Unlock()
		http.Error(w, "the round trip has no network", http.StatusServiceUnavailable)
	}))
	t.Cleanup(func() {
		registry.Close()
		mu.Lock()
		defer mu.Unlock()
		if len(asked) > 0 {
			t.Errorf("npm asked the registry %v: the install must need no network", asked)
		}
	})
	for _, d := range []string{"npm-cache", "home"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "npmrc"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(strings.ToLower(kv), "npm_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"npm_config_userconfig="+filepath.Join(work, "npmrc"),
		"npm_config_cache="+filepath.Join(work, "npm-cache"),
		"npm_config_registry="+registry.URL+"/",
		"npm_config_offline=true",
		"npm_config_audit=false",
		"npm_config_fund=false",
		"npm_config_update_notifier=false",
		"npm_config_loglevel=warn",
	)
}

// npm runs a command of the round trip in dir and returns its standard
// output; it fails the test, with everything the command said, when the
// command fails.
func npm(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// checkTypes type-checks a TypeScript file that imports the installed
// package, with the repository's pinned TypeScript (npm ci installs it):
// the package's exports lead to its types.
func checkTypes(t *testing.T, ctx context.Context, app string, env []string) {
	t.Helper()
	tsc, err := filepath.Abs(filepath.Join(root, "node_modules", "typescript", "bin", "tsc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tsc); err != nil {
		t.Errorf("no TypeScript to check the package's types with (%v): run npm ci at the repository's root, as the README's test command does", err)
		return
	}
	files := map[string]string{
		"check.ts":      "import { binaryPath } from \"cpsim\";\nexport const path: string = binaryPath();\n",
		"tsconfig.json": `{"compilerOptions": {"module": "nodenext", "moduleResolution": "nodenext", "strict": true, "noEmit": true, "types": []}, "files": ["check.ts"]}`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(app, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	npm(t, ctx, app, env, "node", tsc, "-p", ".")
}

// samePath says whether a and b name the same file, through symlinks (a
// temporary directory may be reached through one).
func samePath(a, b string) bool {
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	return errA == nil && errB == nil && ra == rb
}
