package state

import (
	"fmt"
	"time"

	"github.com/dustin/go-humanize"
)

// cache is what an instance is sent before its init (or after its exit),
// held for the init with payload true (seed: "messages sent to an
// extension before init are cached"). It is bounded twice: by count
// (Options.CacheLimit) and, with every instance's together, by bytes
// (Options.CacheBytes); past either, the oldest go, and the init
// response's note says how many.
type cache struct {
	items        []Delivery
	bytes        int64 // of items' messages
	dropped      int   // messages dropped since the last init
	droppedBytes int64
}

// cacheAdd caches d for in, within the limits.
func (s *Session) cacheAdd(in *instance, d Delivery) {
	c := &in.cache
	c.items = append(c.items, d)
	c.bytes += int64(len(d.Data))
	s.cacheUsed += int64(len(d.Data))
	if len(c.items) > s.cacheLimit {
		s.cacheDropOldest(in)
	}
	for s.cacheUsed > s.cacheBytes {
		// The biggest cache gives way: usually the one that just grew.
		big := in
		for _, x := range s.instances {
			if x.cache.bytes > big.cache.bytes {
				big = x
			}
		}
		if h := s.host; h != nil && h.cache.bytes > big.cache.bytes {
			big = h
		}
		if len(big.cache.items) == 0 {
			break
		}
		s.cacheDropOldest(big)
	}
}

func (s *Session) cacheDropOldest(in *instance) {
	c := &in.cache
	n := int64(len(c.items[0].Data))
	c.items[0] = Delivery{}
	c.items = c.items[1:]
	c.bytes -= n
	s.cacheUsed -= n
	c.dropped++
	c.droppedBytes += n
}

// cacheTake empties in's cache and returns what it held and what it
// dropped.
func (s *Session) cacheTake(in *instance) cache {
	c := in.cache
	s.cacheUsed -= c.bytes
	in.cache = cache{}
	return c
}

// cacheFront puts ds back in front of in's cache (Reload), within the
// limits.
func (s *Session) cacheFront(in *instance, ds []Delivery) {
	c := s.cacheTake(in)
	for _, d := range ds {
		s.cacheAdd(in, d)
	}
	for _, d := range c.items {
		s.cacheAdd(in, d)
	}
	in.cache.dropped += c.dropped
	in.cache.droppedBytes += c.droppedBytes
}

// releaseCache empties in's cache at its init: with flush (init's payload
// true) its messages follow the init response as fences, after a note of
// what the cache dropped; without, they are dropped. A delay of 0 or more
// replaces each message's own (an extension's cache stays behind a late
// init response); a negative one keeps them.
func (s *Session) releaseCache(in *instance, flush bool, delay time.Duration) {
	c := s.cacheTake(in)
	if !flush {
		return
	}
	if c.dropped > 0 {
		s.diag(Diagnostic{Instance: in.id, Direction: "out", Severity: SeverityWarning, Kind: "protocol", Text: s.droppedNote(c)})
	}
	for _, d := range c.items {
		if delay >= 0 {
			d.Delay = delay
		}
		d.Fence = true
		s.out.Deliveries = append(s.out.Deliveries, d)
	}
}

// CacheBytes is the bytes of messages the instances' caches hold, for the
// host's memory budget.
func (s *Session) CacheBytes() int64 { return s.cacheUsed }

// droppedNote is the init response's note on what the cache dropped.
func (s *Session) droppedNote(c cache) string {
	return fmt.Sprintf("%d cached messages (%s) were dropped before init: an instance's cache holds its latest %d messages, and a session's caches hold %s together (a quarter of its memory budget, -session-memory)",
		c.dropped, humanize.IBytes(uint64(c.droppedBytes)), s.cacheLimit, humanize.IBytes(uint64(s.cacheBytes)))
}
