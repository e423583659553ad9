package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

// untilLogged waits until the log holds text, or fails the test near its
// own deadline: cpsim takes what it takes on a loaded machine.
func untilLogged(t *testing.T, r *running, text string) string {
	t.Helper()
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Minute)
	}
	deadline = deadline.Add(-5 * time.Second)
	for {
		log := r.stderr.String()
		if strings.Contains(log, text) {
			return log
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("run returned %v before the log said %q:\n%s", err, text, log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q:\n%s", text, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDemosGoOnWithoutTheirPort: a second cpsim (with extensions of its
// own, on another -addr) used to stop because the demos' port was taken by
// the first. The demos are served only when needed or asked for, and a
// taken port is never a reason to stop.
func TestDemosGoOnWithoutTheirPort(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() }) // not defer: the subtests run after this function returns
	busy := taken.Addr().String()       // localhost may be ::1 or 127.0.0.1: the very address

	tests := []struct {
		name string
		args []string
		want string // in the log
		not  string // not in the log
	}{
		{"extensions given: no demos", []string{"-extension", "http://localhost:9/panel.html"},
			"the demo extensions are not served, since extensions are given", "demo extensions listening"},
		{"extensions given, demos asked for on a taken port", []string{"-extension", "http://localhost:9/panel.html", "-demo-addr", busy},
			"the demo extensions are not served: their address is taken", "demo extensions listening"},
		{"demos needed on a taken port: another port", []string{"-demo-addr", busy},
			"they are served on another port", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := startRun(t, append([]string{"-addr", "127.0.0.1:0"}, tt.args...)...)
			untilLogged(t, r, "panel listening")
			log := untilLogged(t, r, tt.want)
			if tt.not != "" && strings.Contains(log, tt.not) {
				t.Errorf("the log says %q:\n%s", tt.not, log)
			}
			if tt.not == "" {
				log = untilLogged(t, r, "demo extensions listening")
				if strings.Contains(log, `msg="demo extensions listening" addr=`+busy+" ") {
					t.Errorf("the demos claim the taken port:\n%s", log)
				}
			}
			r.stop()
			if err := <-r.done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
}
