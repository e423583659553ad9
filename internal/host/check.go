package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// CheckExtension loads an extension URL the way the panel will and reports
// what will go wrong: it cannot be reached, it refuses to be framed by the
// panel (the seed's Configuration chapter), or it is served from the same
// site as the panel, which hides the hosting problems production has.
func CheckExtension(ctx context.Context, client *http.Client, panelOrigin, extURL string) []Problem {
	var ps []Problem
	if p := SameSiteProblem(panelOrigin, extURL); p != nil {
		ps = append(ps, *p)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, extURL, nil)
	if err != nil {
		return append(ps, Problem{Level: "error", Kind: "unreachable", URL: extURL, Text: fmt.Sprintf("%s is not a URL the panel can load: %v", extURL, err)})
	}
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	resp, err := client.Do(req)
	if err != nil {
		return append(ps, Problem{Level: "error", Kind: "unreachable", URL: extURL, Text: fmt.Sprintf("cannot reach %s: %s. Is the extension's server running?", extURL, reachError(err))})
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return append(ps, Problem{Level: "error", Kind: "unreachable", URL: extURL, Text: fmt.Sprintf("%s answers %s: the panel will show an error page instead of the extension", extURL, resp.Status)})
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		ps = append(ps, Problem{Level: "error", Kind: "framing", URL: extURL, Text: fmt.Sprintf(
			"%s sends X-Frame-Options: %s, so the panel cannot show it in its iframe. Do not send X-Frame-Options; allow the panel with Content-Security-Policy: frame-ancestors %s",
			extURL, xfo, panelOrigin)})
	}
	for _, csp := range resp.Header.Values("Content-Security-Policy") {
		if allowed, found := frameAncestorsAllow(csp, originOf(extURL), panelOrigin); found && !allowed {
			ps = append(ps, Problem{Level: "error", Kind: "framing", URL: extURL, Text: fmt.Sprintf(
				"%s sends a Content-Security-Policy whose frame-ancestors does not include the panel's origin %s, so the panel cannot show it. Add %s to frame-ancestors",
				extURL, panelOrigin, panelOrigin)})
		}
	}
	return ps
}

// reachError says why a URL could not be loaded, without the request
// details the user already knows.
func reachError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer within 5 seconds"
	}
	return err.Error()
}

// frameAncestorsAllow reports whether a Content-Security-Policy lets
// panelOrigin frame a page from self; found is false when the policy has no
// frame-ancestors directive.
func frameAncestorsAllow(csp, self, panelOrigin string) (allowed, found bool) {
	panel, err := url.Parse(panelOrigin)
	if err != nil {
		return false, false
	}
	for _, dir := range strings.Split(csp, ";") {
		fields := strings.Fields(dir)
		if len(fields) == 0 || !strings.EqualFold(fields[0], "frame-ancestors") {
			continue
		}
		for _, src := range fields[1:] {
			switch src = strings.ToLower(src); {
			case src == "*" || src == panel.Scheme+":":
				return true, true
			case src == "'self'":
				if self == panelOrigin {
					return true, true
				}
			case src == "'none'":
			default:
				if sourceMatches(src, panel) {
					return true, true
				}
			}
		}
		return false, true
	}
	return false, false
}

// sourceMatches matches a CSP host source ("https://*.example.com:443",
// "example.com") against an origin.
func sourceMatches(src string, origin *url.URL) bool {
	scheme, rest, hasScheme := strings.Cut(src, "://")
	if !hasScheme {
		rest, scheme = src, ""
	}
	if scheme != "" && scheme != origin.Scheme {
		return false
	}
	host, port := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.Contains(rest[i:], "]") {
		host, port = rest[:i], rest[i+1:]
	}
	if port != "" && port != "*" && port != origin.Port() && !(origin.Port() == "" && port == defaultPort(origin.Scheme)) {
		return false
	}
	if port == "" && origin.Port() != "" && origin.Port() != defaultPort(origin.Scheme) {
		return false
	}
	if ok, _ := path.Match(host, origin.Hostname()); ok {
		return true
	}
	if wild, ok := strings.CutPrefix(host, "*."); ok {
		return strings.HasSuffix(origin.Hostname(), "."+wild)
	}
	return false
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// Site is what browsers call a site: the scheme and the registrable domain
// (eTLD+1) of a URL. Two origins on one site share cookies as first-party;
// the port does not count.
func Site(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(p.Hostname())
	if host == "" {
		return "", fmt.Errorf("%s has no host", u)
	}
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return p.Scheme + "://" + host, nil // an address, or a single label such as localhost
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		site = host // the name is a public suffix itself
	}
	return p.Scheme + "://" + site, nil
}

// SameSiteProblem warns when an extension is served from the panel's own
// site, which production never does.
func SameSiteProblem(panelOrigin, extURL string) *Problem {
	ps, err1 := Site(panelOrigin)
	es, err2 := Site(extURL)
	if err1 != nil || err2 != nil || ps != es {
		return nil
	}
	fix := "serve the extension from another site"
	if alt := otherLoopbackName(extURL); alt != "" {
		fix = fmt.Sprintf("open the panel as %s instead, or serve the extension from %s", swapHost(panelOrigin, alt), swapHost(originOf(extURL), alt))
	}
	return &Problem{Level: "warning", Kind: "same-site", URL: extURL, Text: fmt.Sprintf(
		"%s is on the same site as the panel (%s). In production an extension is on another site: its cookies are third-party and are sent only with SameSite=None; Secure, and the browser runs it in a process of its own, which makes messages slower. Here those problems stay hidden. To see them, %s.",
		extURL, ps, fix)}
}

// otherLoopbackName is the loopback name that is another site than the
// URL's host: localhost for 127.0.0.1 and the other way round.
func otherLoopbackName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	switch p.Hostname() {
	case "127.0.0.1", "::1":
		return "localhost"
	case "localhost":
		return "127.0.0.1"
	}
	return ""
}

func swapHost(origin, host string) string {
	p, err := url.Parse(origin)
	if err != nil {
		return origin
	}
	if port := p.Port(); port != "" {
		p.Host = net.JoinHostPort(host, port)
	} else {
		p.Host = host
	}
	return p.Scheme + "://" + p.Host
}
