package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version, commit and date are set at link time by a release build
// (.goreleaser.yaml: -ldflags "-X main.version=... -X main.commit=...
// -X main.date=..."); they are never assigned at run time. A plain go build
// or go run leaves them empty, and buildInfo falls back on what the Go
// toolchain stamped into the binary.
var (
	version string // the release's version, without a leading v: 1.4.0
	commit  string // the full commit hash the release was built from
	date    string // the commit's time, RFC 3339: 2026-12-01T12:00:00Z (a reproducible build has no other)
)

// build is what cpsim -version prints about the binary.
type build struct {
	Version  string // 1.4.0, 0.0.0-20261201120000-d13e9c7a1b2c, or dev
	Commit   string // a commit hash, with +dirty when the tree had changes; or unknown
	Date     string // the commit's time, RFC 3339; or unknown
	Go       string // the toolchain: go1.26.8
	Platform string // GOOS/GOARCH: linux/amd64
}

// String is the one line cpsim -version prints:
// cpsim 1.4.0 (commit d13e9c7..., 2026-12-01T12:00:00Z, go1.26.8 linux/amd64).
func (b build) String() string {
	return fmt.Sprintf("cpsim %s (commit %s, %s, %s %s)", b.Version, b.Commit, b.Date, b.Go, b.Platform)
}

// buildInfo describes this binary: the link-time values when a release set
// them, else the module version and the vcs.revision, vcs.time and
// vcs.modified settings Go stamps into a build from a git checkout (go
// install module@v1.4.0 gives the version, go build in a clone the
// commit), else dev and unknown.
func buildInfo() build {
	bi, _ := debug.ReadBuildInfo()
	return describe(version, commit, date, bi)
}

// describe is buildInfo with its inputs passed in: the -X values (empty
// when not set) and the toolchain's build information (nil when the binary
// has none).
func describe(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) build {
	// GoReleaser gives these when it finds no git (a snapshot of a clone
	// with no remote): they say nothing.
	if ldCommit == "none" {
		ldCommit = ""
	}
	if strings.HasPrefix(ldDate, "0001-01-01") {
		ldDate = ""
	}
	b := build{Version: ldVersion, Commit: ldCommit, Date: ldDate, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		var revision, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value
			}
		}
		if b.Commit == "" && revision != "" {
			b.Commit = revision
			if modified == "true" {
				b.Commit += "+dirty"
			}
		}
		if v := bi.Main.Version; b.Version == "" && v != "" && v != "(devel)" {
			b.Version = v
		}
	}
	// A tag is v1.4.0, npm's and GoReleaser's version 1.4.0: print one form.
	if len(b.Version) > 1 && b.Version[0] == 'v' && b.Version[1] >= '0' && b.Version[1] <= '9' {
		b.Version = b.Version[1:]
	}
	b.Version = orUnknown(b.Version, "dev")
	b.Commit = orUnknown(b.Commit, "unknown")
	b.Date = orUnknown(b.Date, "unknown")
	return b
}

func orUnknown(s, unknown string) string {
	if strings.TrimSpace(s) == "" {
		return unknown
	}
	return s
}

// printVersion is cpsim -version and cpsim version: the line of build on
// stdout. It takes no arguments, so that a script that passes it more
// learns of its mistake.
func printVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("-version takes no arguments, got %q", args[0])
	}
	_, err := fmt.Fprintln(stdout, buildInfo())
	return err
}
