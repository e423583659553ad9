package main

import "runtime/debug"

// apiVersion is the version the control API tells (GET /api/v1/): the
// module's, as go install stamps it, or "dev" for a build from a work
// tree. A release build's own version, once cpsim has one, goes here.
func apiVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
