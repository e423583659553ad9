package main

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDescribe: a release's link-time values win; a plain go build or go
// install falls back on what the toolchain stamped, and on dev and unknown.
func TestDescribe(t *testing.T) {
	t.Parallel()
	stamped := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: runtime.Version(), Main: debug.Module{Path: "github.com/cpsim/cpsim", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	vcs := stamped("v0.0.0-20261201120000-d13e9c7a1b2c+dirty",
		"vcs", "git", "vcs.revision", "d13e9c7a1b2c3d4e5f60718293a4b5c6d7e8f901", "vcs.time", "2026-12-01T12:00:00Z", "vcs.modified", "true")
	tests := []struct {
		name                 string
		version, commit, day string // the -X values
		bi                   *debug.BuildInfo
		want                 build
	}{
		{"a release: the link-time values win", "1.4.0", "0123456789abcdef0123456789abcdef01234567", "2026-12-24T08:00:00Z", vcs,
			build{Version: "1.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-24T08:00:00Z"}},
		{"a snapshot release", "0.0.1-snapshot-d13e9c7", "d13e9c7a1b2c3d4e5f60718293a4b5c6d7e8f901", "2026-12-01T12:00:00Z", nil,
			build{Version: "0.0.1-snapshot-d13e9c7", Commit: "d13e9c7a1b2c3d4e5f60718293a4b5c6d7e8f901", Date: "2026-12-01T12:00:00Z"}},
		{"a snapshot GoReleaser made with no git remote", "0.0.1-snapshot-none", "none", "0001-01-01T00:00:00Z", vcs,
			build{Version: "0.0.1-snapshot-none", Commit: "d13e9c7a1b2c3d4e5f60718293a4b5c6d7e8f901+dirty", Date: "2026-12-01T12:00:00Z"}},
		{"the same with no build information", "0.0.1-snapshot-none", "none", "0001-01-01T00:00:00Z", nil,
			build{Version: "0.0.1-snapshot-none", Commit: "unknown", Date: "unknown"}},
		{"a tag given with its v", "v1.4.0", "", "", nil,
			build{Version: "1.4.0", Commit: "unknown", Date: "unknown"}},
		{"go build in a clone with changes", "", "", "", vcs,
			build{Version: "0.0.0-20261201120000-d13e9c7a1b2c+dirty", Commit: "d13e9c7a1b2c3d4e5f60718293a4b5c6d7e8f901+dirty", Date: "2026-12-01T12:00:00Z"}},
		{"go install of a tag", "", "", "", stamped("v1.4.0"),
			build{Version: "1.4.0", Commit: "unknown", Date: "unknown"}},
		{"go build with -buildvcs=false", "", "", "", stamped("(devel)"),
			build{Version: "dev", Commit: "unknown", Date: "unknown"}},
		{"a clean clone", "", "", "", stamped("", "vcs.revision", "abc", "vcs.modified", "false"),
			build{Version: "dev", Commit: "abc", Date: "unknown"}},
		{"no build information at all", "", "", "", nil,
			build{Version: "dev", Commit: "unknown", Date: "unknown"}},
		{"a version that is only a v", "v", "", "", nil,
			build{Version: "v", Commit: "unknown", Date: "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.want.Go, tt.want.Platform = runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH
			if diff := cmp.Diff(tt.want, describe(tt.version, tt.commit, tt.day, tt.bi)); diff != "" {
				t.Errorf("describe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildString(t *testing.T) {
	t.Parallel()
	b := build{Version: "1.4.0", Commit: "d13e9c7", Date: "2026-12-01T12:00:00Z", Go: "go1.26.8", Platform: "linux/arm64"}
	want := "cpsim 1.4.0 (commit d13e9c7, 2026-12-01T12:00:00Z, go1.26.8 linux/arm64)"
	if got := b.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
