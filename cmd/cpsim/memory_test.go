package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cpsim/cpsim/internal/yamlx/yamlxtest"
)

// TestMemoryValidateAliasBomb is issue 11's hostile YAML: `cpsim validate`
// given alias bombs (a billion laughs nine and twelve levels deep, in a
// scenario's caller data and in a -config) refuses each, having allocated
// at most 64 MiB in all: a bound on its heap that does not depend on when
// the collector runs. It does not run in parallel, so that only it
// allocates while it measures.
func TestMemoryValidateAliasBomb(t *testing.T) {
	const budget = 64 << 20
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	scenarioBomb := func(levels int) string {
		return "name: x\nsteps:\n  - incoming:\n      channel: phone\n      cad:\n" + yamlxtest.Laughs(levels, "        ")
	}
	tests := []struct {
		name    string
		args    []string
		refused bool
	}{
		// 9^5 = 59,049 nodes: under the limit, the most a file may expand.
		{"a scenario, 5 levels", []string{"validate", write("bomb5.yaml", scenarioBomb(5))}, false},
		{"a scenario, 9 levels", []string{"validate", write("bomb9.yaml", scenarioBomb(9))}, true},
		{"a scenario, 12 levels", []string{"validate", write("bomb12.yaml", scenarioBomb(12))}, true},
		{"a config, 12 levels", []string{"validate", "-config", write("config12.yaml", "agent:\n  sip_proxies:\n"+yamlxtest.Laughs(12, "    ")),
			"../../scenarios/sms.yaml"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := run(context.Background(), tt.args, env(nil), &out, &out)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %.1f MiB; exit %d", float64(allocated)/(1<<20), exitCode(err))
			all := out.String()
			if err != nil {
				all += err.Error()
			}
			if refused := exitCode(err) == 2 && strings.Contains(all, "aliases expand this file by more than"); refused != tt.refused {
				t.Errorf("validate %v: exit %d, %s; want it refused: %v", tt.args, exitCode(err), all, tt.refused)
			}
			if allocated > budget {
				t.Errorf("validate allocated %.1f MiB, more than %d MiB", float64(allocated)/(1<<20), budget>>20)
			}
		})
	}
}
