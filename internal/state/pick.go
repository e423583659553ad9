package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// This file holds what production's client library shows of picking
// (CPC.js picklist and interaction('pick')): the picklist command, which
// the seed does not have, and the order in which an extension's pick is
// answered. See docs/spec-notes.md, "What the official client library
// shows".

// Contact is one entry of the picklist: a queued interaction the agent may
// pick, named as its interaction names the same things. ID is the
// interaction's id, which interaction pick takes as interactionId, and the
// id the interaction keeps once picked; WaitingTime is the whole seconds
// since it reached its queue. The shape is cpsim's (production answers
// with its RMI contacts, which the seed does not describe); cpsim's schema
// defines it (cpsim.schema.json#/definitions/contact).
type Contact struct {
	ID             string   `json:"id"`
	ChannelType    string   `json:"channel_type"`
	ChannelSubType string   `json:"channel_sub_type,omitempty"`
	Queue          QueueRef `json:"queue"`
	Originator     string   `json:"originator"`
	Destination    string   `json:"destination,omitempty"`
	Title          string   `json:"title"`
	DateCreated    string   `json:"date_created"`
	WaitingTime    int      `json:"waiting_time"`
}

// picklistDefault is how many contacts picklist answers when the request
// sets no limit (CPC.js picklist: "Default is 100").
const picklistDefault = 100

// picklistAction answers {"command": "picklist", "limit": 10, "queueId":
// "id1,id2"} (CPC.js picklist(limit, queueId); both optional, no value)
// with the contacts the agent may pick, oldest first: the queued
// interactions of the agent's queues, served or not, as pick takes them
// (an interaction offered to the agent is accepted, not picked).
func (s *Session) picklistAction(p map[string]any) (any, string, error) {
	limit, err := picklistLimit(p["limit"])
	if err != nil {
		return nil, "", err
	}
	queues, err := s.picklistQueues(p["queueId"])
	if err != nil {
		return nil, "", err
	}
	now := s.clock()
	contacts := []Contact{}
	for _, it := range s.interactions {
		if len(contacts) == limit {
			break
		}
		if it.Status != StatusQueued || (queues != nil && !slices.Contains(queues, it.queue)) {
			continue
		}
		contacts = append(contacts, Contact{
			ID:             it.ID,
			ChannelType:    it.ChannelType,
			ChannelSubType: it.ChannelSubType,
			Queue:          it.FromQueue,
			Originator:     it.Originator,
			Destination:    it.Destination,
			Title:          it.Title,
			DateCreated:    it.DateCreated,
			WaitingTime:    max(0, int(now.Sub(it.createdAt)/time.Second)),
		})
	}
	return contacts, "picklist", nil
}

// picklistLimit reads picklist's limit: missing or null is the default, a
// whole number of at least 1 is taken as it is.
func picklistLimit(raw any) (int, error) {
	if raw == nil {
		return picklistDefault, nil
	}
	n, ok := raw.(json.Number)
	if !ok {
		return 0, fmt.Errorf("picklist: limit must be a number of contacts, not %s", jsonKind(raw))
	}
	f, err := n.Float64()
	if err != nil || f < 1 || f != math.Trunc(f) {
		return 0, fmt.Errorf("picklist: limit must be a whole number of at least 1, not %s", n)
	}
	return int(min(f, math.MaxInt32)), nil
}

// picklistQueues reads picklist's queueId: one queue id, or ids separated
// by commas; nil (no filter) when it is missing, null or empty.
func (s *Session) picklistQueues(raw any) ([]*Queue, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("picklist: queueId must be a string of queue ids separated by commas, not %s", jsonKind(raw))
	}
	var queues []*Queue
	for id := range strings.SplitSeq(list, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		i := slices.IndexFunc(s.queues, func(q *Queue) bool { return q.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("picklist: unknown queueId %q: none of the agent's queues has that id (detail queues lists them)", id)
		}
		queues = append(queues, s.queues[i])
	}
	return queues, nil
}

// errAnswered means the action's response is in the output already.
var errAnswered = errors.New("answered")

// pickLatency is how long after its response the state messages of an
// extension's pick come. Production answers the pick, then the contact
// reaches the agent; CPC.js interaction('pick') starts waiting for the
// accepted status of that id only once it has the response, which it polls
// for every 50 ms, so a state sent with the response is missed and the
// pick reported failed after 5 s.
const pickLatency = 250 * time.Millisecond

// pickAction picks an interaction for an extension: the response ok
// first, then the pick's state messages (status accepted with the same
// id, and the rest) pickLatency later. They are fences, so that nothing
// that happens after the pick overtakes them.
func (s *Session) pickAction(in *instance, id msgID, it *Interaction) error {
	n := len(s.out.Deliveries)
	if err := s.pick(it); err != nil {
		return err
	}
	picked := slices.Clone(s.out.Deliveries[n:])
	s.out.Deliveries = s.out.Deliveries[:n]
	s.respond(in, id, "ok", "ok")
	for _, d := range picked {
		d.Delay = s.delay + pickLatency
		d.Fence = true
		s.out.Deliveries = append(s.out.Deliveries, d)
	}
	return nil
}
