// Npmpack makes cpsim's npm packages from a GoReleaser release's binaries
// and packs them with npm pack, ready to publish:
//
//	go tool -modfile=tools/go.mod goreleaser release --clean
//	go run ./internal/release/npmpack
//
// Flags:
//
//	-npm DIR    the repository's npm directory, with the manifests (npm)
//	-dist DIR   GoReleaser's dist directory (dist)
//	-out DIR    where to stage the packages and write the tarballs (dist/npm); must be empty
//	-partial    allow platforms with no binary, as after goreleaser build --single-target
//
// It prints the tarballs in the order to publish them: the six platform
// packages, then cpsim, which names them. docs/release.md has the rest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/cpsim/cpsim/internal/release"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "npmpack:", err)
		os.Exit(1)
	}
}

// run is npmpack with its world passed in.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("npmpack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	npm := fs.String("npm", "npm", "the repository's npm `directory`, with npm/cpsim and npm/@cpsim/*")
	dist := fs.String("dist", "dist", "GoReleaser's dist `directory`, with artifacts.json and metadata.json")
	out := fs.String("out", filepath.Join("dist", "npm"), "`directory` to stage the packages in and write the tarballs to; must be empty")
	partial := fs.Bool("partial", false, "allow platforms with no binary (a --single-target snapshot); a release needs all six")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: flags start with -", fs.Arg(0))
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		return fmt.Errorf("-out %s is not empty: remove it, or give another", *out)
	}
	version, staged, err := release.Assemble(release.Options{NPM: *npm, Dist: *dist, Out: filepath.Join(*out, "staging"), Partial: *partial})
	if err != nil {
		return err
	}
	tarballs, err := release.Pack(ctx, staged, *out, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cpsim %s: %d npm packages, to publish in this order:\n", version, len(tarballs))
	for _, t := range tarballs {
		fmt.Fprintln(stdout, t)
	}
	return nil
}
