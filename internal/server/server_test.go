package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
)

// fakeListener is a listener bound to addr, for the URLs derived from it.
type fakeListener struct {
	net.Listener
	addr net.Addr
}

func (l fakeListener) Addr() net.Addr { return l.addr }

func TestPublicURL(t *testing.T) {
	t.Parallel()
	bound := fakeListener{addr: &net.TCPAddr{IP: net.IPv4zero, Port: 8123}}
	tests := []struct {
		name, given, addr, want, err string
	}{
		{"the port bound", "", "127.0.0.1:0", "http://127.0.0.1:8123", ""},
		{"a host name kept", "", "localhost:0", "http://localhost:8123", ""},
		{"unspecified: the default name", "", "0.0.0.0:8080", "http://127.0.0.1:8123", ""},
		{"no host: the default name", "", ":8080", "http://127.0.0.1:8123", ""},
		{"given, without its slash", "https://cpsim.example/", "0.0.0.0:8080", "https://cpsim.example", ""},
		{"given, not a URL", "cpsim.example", "0.0.0.0:8080", "", `"cpsim.example" is not an http:// or https:// URL`},
		{"not host:port", "", "nonsense", "", `"nonsense" is not host:port`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := publicURL(tt.given, tt.addr, bound, "127.0.0.1")
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPanelOriginsAndHosts(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"http://127.0.0.1:8123", "http://localhost:8123"}, panelOrigins("http://127.0.0.1:8123")); diff != "" {
		t.Errorf("loopback origins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://cpsim.example"}, panelOrigins("https://cpsim.example")); diff != "" {
		t.Errorf("a public URL's origins (-want +got):\n%s", diff)
	}
	loopback := fakeListener{addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8123}}
	if diff := cmp.Diff([]string{"127.0.0.1", "localhost", "::1", "cpsim.test"}, allowedHosts(loopback, "http://cpsim.test:8123")); diff != "" {
		t.Errorf("hosts on loopback (-want +got):\n%s", diff)
	}
	wide := fakeListener{addr: &net.TCPAddr{IP: net.IPv4zero, Port: 8123}}
	if got := allowedHosts(wide, "http://127.0.0.1:8123"); got != nil {
		t.Errorf("hosts listening wide = %v, want any", got)
	}
}

// get fetches a URL within the test's time, and returns the status and
// body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestStackServesAndFreesItsPorts: with no extension given, the stack
// serves the demos on another site and loads them; Shutdown frees both
// ports.
func TestStackServesAndFreesItsPorts(t *testing.T) {
	t.Parallel()
	st, err := Listen(Config{DemoAddr: "localhost:0"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.PanelURL(), "http://127.0.0.1:") || !strings.HasPrefix(st.DemoURL(), "http://localhost:") {
		t.Errorf("panel at %s, demos at %s: want 127.0.0.1 and localhost, two sites", st.PanelURL(), st.DemoURL())
	}
	if len(st.Data().Extensions) == 0 || !strings.HasPrefix(st.Data().Extensions[0].URL, st.DemoURL()+"/") {
		t.Errorf("extensions %+v, want the demos", st.Data().Extensions)
	}
	if err := st.Start(host.Config{Validator: statetest.Validator(t)}); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, st.PanelURL()+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, _ := get(t, st.Data().Extensions[0].URL); code != http.StatusOK {
		t.Errorf("%s: %d", st.Data().Extensions[0].URL, code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a safety net
	defer cancel()
	if err := st.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range []net.Addr{st.PanelAddr(), st.DemoAddr()} {
		ln, err := net.Listen("tcp", a.String())
		if err != nil {
			t.Errorf("%s is still taken after Shutdown: %v", a, err)
			continue
		}
		ln.Close()
	}
}

func TestListenErrorsNameTheField(t *testing.T) {
	t.Parallel()
	withExt := &state.Data{Extensions: []state.ExtensionData{{Key: "crm", URL: "http://localhost:9/crm.html"}}}
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"a bad panel address", Config{Addr: "nonsense", Data: withExt}, "Addr"},
		{"a bad panel URL", Config{PanelURL: "cpsim.example", Data: withExt}, "PanelURL"},
		{"a bad demo URL", Config{DemoAddr: "localhost:0", DemoURL: "nope"}, "DemoURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Listen(tt.cfg)
			var ae *AddrError
			if !errors.As(err, &ae) || ae.Field != tt.field {
				t.Errorf("error %v, want an AddrError of %s", err, tt.field)
			}
		})
	}
	if _, err := Listen(Config{}); err == nil {
		t.Error("no extension and no demos: no error")
	}
}
