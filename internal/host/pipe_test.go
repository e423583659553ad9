package host

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// Tests of what the relay does in time (a delayed response, the write
// timeout that drops a slow page, the ping that tells a live page from a
// gone one, a scenario's waits and expectations) run in a synctest bubble,
// on a fake clock that moves only when every goroutine of the bubble is
// blocked: a timer fires because the test waits for it, never because the
// machine is slow. Real sockets do not block durably, so such a test
// reaches its panel over pipes in memory, through pipeNet, rather than
// over loopback TCP.

// pipeNet is an in-memory network: a listener whose connections are
// pipes that its DialContext makes. Create it inside the bubble.
type pipeNet struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeNet() *pipeNet {
	return &pipeNet{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (n *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-n.conns:
		return c, nil
	case <-n.done:
		return nil, net.ErrClosed
	}
}

func (n *pipeNet) Close() error {
	n.once.Do(func() { close(n.done) })
	return nil
}

func (n *pipeNet) Addr() net.Addr { return pipeAddr{} }

// DialContext connects to the listener, whatever the address.
func (n *pipeNet) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := newPipe()
	select {
	case n.conns <- server:
		return client, nil
	case <-n.done:
		return nil, errors.New("the pipe network is closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pipeBuffer is how many bytes a pipe holds in each direction, as a
// socket's buffers do: a peer that writes twice before it reads, as pages
// and the relay do, does not block on an answer it has yet to read. A
// peer that stops reading blocks the other once this much is waiting.
const pipeBuffer = 256 << 10

// memPipe is a connection in memory with a buffer in each direction, like
// net.Pipe (which has none). Its ends block on a sync.Cond, durably in
// a synctest bubble.
type memPipe struct {
	mu      sync.Mutex
	cond    sync.Cond
	data    [2]pipeRing  // what end i wrote, for the other end to read
	closed  [2]bool      // end i was closed
	readDL  [2]time.Time // end i's deadlines
	writeDL [2]time.Time
}

// pipeEnd is one end of a memPipe, a net.Conn.
type pipeEnd struct {
	p *memPipe
	i int
}

func newPipe() (net.Conn, net.Conn) {
	p := &memPipe{}
	p.cond.L = &p.mu
	for i := range p.data {
		p.data[i].b = make([]byte, pipeBuffer)
	}
	return &pipeEnd{p, 0}, &pipeEnd{p, 1}
}

// pipeRing is a memPipe's buffer in one direction.
type pipeRing struct {
	b    []byte
	r, n int // where the bytes to read start, and how many there are
}

func (q *pipeRing) write(p []byte) int {
	k := min(len(p), len(q.b)-q.n)
	w := (q.r + q.n) % len(q.b)
	c := copy(q.b[w:], p[:k])
	copy(q.b, p[c:k])
	q.n += k
	return k
}

func (q *pipeRing) read(p []byte) int {
	k := min(len(p), q.n)
	c := copy(p[:k], q.b[q.r:])
	copy(p[c:k], q.b)
	q.r, q.n = (q.r+k)%len(q.b), q.n-k
	return k
}

func deadlinePassed(dl time.Time) bool { return !dl.IsZero() && !time.Now().Before(dl) }

func (e *pipeEnd) Read(b []byte) (int, error) {
	p, in := e.p, 1-e.i
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.closed[e.i]:
			return 0, net.ErrClosed
		case p.data[in].n > 0:
			n := p.data[in].read(b)
			p.cond.Broadcast()
			return n, nil
		case p.closed[in]:
			return 0, io.EOF
		case deadlinePassed(p.readDL[e.i]):
			return 0, os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
}

func (e *pipeEnd) Write(b []byte) (int, error) {
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for len(b) > 0 {
		switch {
		case p.closed[e.i]:
			return n, net.ErrClosed
		case p.closed[1-e.i]:
			return n, io.ErrClosedPipe
		case deadlinePassed(p.writeDL[e.i]):
			return n, os.ErrDeadlineExceeded
		case p.data[e.i].n < pipeBuffer:
			k := p.data[e.i].write(b)
			b, n = b[k:], n+k
			p.cond.Broadcast()
			continue
		}
		p.cond.Wait()
	}
	return n, nil
}

func (e *pipeEnd) Close() error {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.p.closed[e.i] = true
	e.p.cond.Broadcast()
	return nil
}

func (e *pipeEnd) SetDeadline(t time.Time) error {
	e.SetReadDeadline(t)
	return e.SetWriteDeadline(t)
}

func (e *pipeEnd) SetReadDeadline(t time.Time) error {
	e.p.setDeadline(&e.p.readDL[e.i], t)
	return nil
}

func (e *pipeEnd) SetWriteDeadline(t time.Time) error {
	e.p.setDeadline(&e.p.writeDL[e.i], t)
	return nil
}

// setDeadline sets a deadline and wakes the ends when it passes.
func (p *memPipe) setDeadline(dl *time.Time, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*dl = t
	p.cond.Broadcast()
	if !t.IsZero() && time.Now().Before(t) {
		time.AfterFunc(time.Until(t), func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.cond.Broadcast()
		})
	}
}

func (e *pipeEnd) LocalAddr() net.Addr  { return pipeAddr{} }
func (e *pipeEnd) RemoteAddr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "cpsim.test:80" }

// pipePanel is a panel served over a pipeNet.
type pipePanel struct {
	URL    string // its base URL; any host name reaches it
	client *http.Client
}

// newPipeServer starts a panel on a pipeNet, as newTestServer does on
// loopback. Call it inside the bubble.
func newPipeServer(t *testing.T, edit ...func(*Config)) (*Server, *pipePanel) {
	t.Helper()
	cfg := testConfig(t)
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pn := newPipeNet()
	hs := &http.Server{Handler: srv}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = hs.Serve(pn)
	}()
	tr := &http.Transport{DialContext: pn.DialContext}
	t.Cleanup(func() {
		_ = srv.Shutdown(beforeDeadline(t))
		_ = hs.Close()
		<-served
		tr.CloseIdleConnections()
	})
	return srv, &pipePanel{URL: "http://cpsim.test", client: &http.Client{Transport: tr}}
}

// dial connects a page to a panel on a pipeNet and says hello.
func (pp *pipePanel) dial(t testing.TB, session string, seq uint64, fresh bool, opts ...func(*page)) *page {
	t.Helper()
	return dialWith(t, pp.URL, pp.client, session, seq, fresh, opts...)
}
