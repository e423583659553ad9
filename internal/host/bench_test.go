package host

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/state/statetest"
)

// Results are written up in docs/performance.md.

// echoServer is the baseline: a bare coder/websocket server that sends
// every message back.
func echoServer(b *testing.B) *httptest.Server {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			typ, data, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			if err := ws.Write(r.Context(), typ, data); err != nil {
				return
			}
		}
	}))
	b.Cleanup(hs.Close)
	return hs
}

// BenchmarkRoundTrip measures an extension's action answered through the
// relay (page frame in, engine, batch with the response and its log rows
// out) against the same frame echoed by a bare coder/websocket server,
// interleaved in one loop so that both meet the same machine. It reports
// both times and their ratio (target: at most 1.2).
func BenchmarkRoundTrip(b *testing.B) {
	for _, value := range []string{"user", "interaction"} {
		b.Run("detail-"+value, func(b *testing.B) { benchRoundTrip(b, value) })
	}
}

func benchRoundTrip(b *testing.B, value string) {
	_, hs := newBenchServer(b)
	p := dial(b, hs, "", 0, true)
	_, inst := p.call()
	ctx := context.Background()
	echo, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(echoServer(b).URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer echo.CloseNow()

	// The frame a page sends, with an acknowledgement every 100 round
	// trips, as a page acknowledges in batches.
	seq := p.seq
	frame := func(i int) []byte {
		ack := ""
		if i%100 == 99 {
			ack = fmt.Sprintf(`,{"t":"a","seq":%d}`, seq)
		}
		return fmt.Appendf(nil, `[{"t":"m","q":%d,"i":%q,"m":{"id":"cpc-%d","type":"action","payload":{"command":"detail","value":%q}}}%s]`,
			int(p.q)+1+i, inst, i, value, ack)
	}
	var relay, bare time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		msg := frame(i)
		want := fmt.Appendf(nil, `"id":"cpc-%d","type":"response"`, i)

		start := time.Now()
		if err := p.ws.Write(ctx, websocket.MessageText, msg); err != nil {
			b.Fatal(err)
		}
		for {
			_, data, err := p.ws.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if bytes.Contains(data, want) {
				seq++ // one delivery per round trip: the response
				break
			}
		}
		relay += time.Since(start)

		start = time.Now()
		if err := echo.Write(ctx, websocket.MessageText, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := echo.Read(ctx); err != nil {
			b.Fatal(err)
		}
		bare += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(relay.Nanoseconds())/n, "relay-ns/op")
	b.ReportMetric(float64(bare.Nanoseconds())/n, "echo-ns/op")
	b.ReportMetric(float64(relay)/float64(bare), "relay/echo")
}

func newBenchServer(b *testing.B) (*Server, *httptest.Server) {
	srv, err := New(Config{Logger: discardLogger(), Data: testData(b), Validator: statetest.Validator(b), Assets: testAssets})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	return srv, hs
}
