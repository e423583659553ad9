package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
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

func TestPanelOrigins(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"http://127.0.0.1:8123", "http://localhost:8123"}, panelOrigins("http://127.0.0.1:8123")); diff != "" {
		t.Errorf("loopback origins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://cpsim.example"}, panelOrigins("https://cpsim.example")); diff != "" {
		t.Errorf("a public URL's origins (-want +got):\n%s", diff)
	}
}

// TestAllowedHosts: whatever the address listened on, loopback or 0.0.0.0
// in a container, the listeners answer to the loopback names, the hosts of
// the panel's and the demos' URLs, and each name given, and to no other.
func TestAllowedHosts(t *testing.T) {
	t.Parallel()
	loopback := []string{"127.0.0.1", "localhost", "::1"}
	tests := []struct {
		name              string
		panelURL, demoURL string
		extra             []string
		want              []string
	}{
		{"the defaults: loopback only", "http://127.0.0.1:8080", "http://localhost:8081", nil, loopback},
		{"no demos", "http://127.0.0.1:8080", "", nil, loopback},
		{"-panel-url's host", "http://CPSIM.test:8123", "http://localhost:8081", nil, append(slices.Clone(loopback), "cpsim.test")},
		{"-demo-url's host", "http://127.0.0.1:8080", "https://demos.test", nil, append(slices.Clone(loopback), "demos.test")},
		{"each -allowed-host, once", "http://devbox.test:8080", "http://devbox.test:8081", []string{"devbox.test", "Proxy.Test", "[fd00::1]", "10.0.0.7"},
			append(slices.Clone(loopback), "devbox.test", "proxy.test", "fd00::1", "10.0.0.7")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, allowedHosts(tt.panelURL, tt.demoURL, tt.extra)); diff != "" {
				t.Errorf("hosts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostNameRefusesWhatIsNotOne(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"", "devbox:8080", "http://devbox", "devbox/x", "dev box", "-x", "[::1]:80", "a*"} {
		if n, err := hostName(h); err == nil {
			t.Errorf("hostName(%q) = %q, want an error", h, n)
		}
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

// TestListenersCheckHostAndListNoDirectory: listening on 0.0.0.0, as in
// the container, both the panel and the demos answer to the names of
// their URLs and -allowed-host and refuse any other as the panel always
// has; neither lists a directory.
func TestListenersCheckHostAndListNoDirectory(t *testing.T) {
	t.Parallel()
	st, err := Listen(Config{
		Addr: "0.0.0.0:0", PanelURL: "http://cpsim.test:8080",
		DemoAddr: "0.0.0.0:0", DemoURL: "http://demos.test:8081",
		AllowedHosts: []string{"Devbox.Test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(host.Config{Validator: statetest.Validator(t)}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if diff := cmp.Diff([]string{"127.0.0.1", "localhost", "::1", "cpsim.test", "demos.test", "devbox.test"}, st.Hosts()); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	panel := "http://" + loopbackAddr(t, st.PanelAddr())
	demos := "http://" + loopbackAddr(t, st.DemoAddr())
	tests := []struct {
		url, host string
		code      int
	}{
		{panel + "/healthz", "", http.StatusOK},
		{panel + "/healthz", "cpsim.test:8080", http.StatusOK},
		{panel + "/healthz", "demos.test", http.StatusOK},
		{panel + "/healthz", "devbox.test:8080", http.StatusOK},
		{panel + "/healthz", "rebound.example:8080", http.StatusMisdirectedRequest},
		{panel + "/healthz", "192.0.2.1:8080", http.StatusMisdirectedRequest},
		{panel + "/static/host.js", "", http.StatusOK},
		{panel + "/static/", "", http.StatusNotFound},
		{panel + "/static/js/", "", http.StatusNotFound},
		{demos + "/customer-card.html", "", http.StatusOK},
		{demos + "/customer-card.html", "demos.test:8081", http.StatusOK},
		{demos + "/customer-card.html", "LOCALHOST:8081", http.StatusOK},
		{demos + "/customer-card.html", "rebound.example:8081", http.StatusMisdirectedRequest},
		{demos + "/card/", "", http.StatusNotFound},
		{demos + "/static/", "", http.StatusNotFound},
		{demos + "/static/js/", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.host != "" {
			req.Host = tt.host
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.code {
			t.Errorf("GET %s, Host %q: %d, want %d", tt.url, tt.host, res.StatusCode, tt.code)
		}
		if tt.code == http.StatusMisdirectedRequest && !strings.Contains(string(body), "does not answer to the host name "+tt.host) {
			t.Errorf("GET %s, Host %q: the refusal says %q", tt.url, tt.host, body)
		}
	}
}

// loopbackAddr is 127.0.0.1 with the port of a listener on every address.
func loopbackAddr(t *testing.T, a net.Addr) string {
	t.Helper()
	_, port, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", port)
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
		{"an allowed host with a port", Config{AllowedHosts: []string{"devbox:8080"}, Data: withExt}, "AllowedHosts"},
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
