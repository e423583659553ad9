package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// This file holds the model's transitions. Extension actions and panel
// events both call them, so an extension and the agent meet the same rules
// and the same reasons. Each checks everything before it changes anything:
// a refused transition leaves the model as it was.

func describe(it *Interaction) string {
	return it.channel + " interaction " + it.ID
}

// channelType maps a channel to the schema's channel_type and
// channel_sub_type (see docs/spec-notes.md).
func channelType(channel string) (typ, sub string) {
	switch channel {
	case SMS, WhatsApp:
		return Chat, channel
	}
	return channel, ""
}

func (s *Session) newInteraction(channel string, q *Queue) *Interaction {
	now := s.clock()
	typ, sub := channelType(channel)
	it := &Interaction{
		ID:             s.ids(),
		ChannelType:    typ,
		ChannelSubType: sub,
		DateCreated:    timestamp(now),
		FromQueue:      QueueRef{ID: q.ID, Name: q.Name},
		AttachedData:   map[string]any{},
		channel:        channel,
		queue:          q,
		createdAt:      now,
	}
	if channel == Phone {
		it.Recording = new(bool)
	}
	if conversation(channel) {
		it.Transcript = &Transcript{Messages: []TranscriptMessage{}}
	}
	return it
}

// setStatus moves an interaction and tells its followers each attribute
// that changed, status first, then channel_status; both messages carry the
// interaction as it is after the move.
func (s *Session) setStatus(it *Interaction, status, channelStatus string) {
	statusChanged := it.Status != status
	csChanged := it.ChannelStatus != channelStatus
	it.Status, it.ChannelStatus = status, channelStatus
	if statusChanged {
		s.emitState(it, "status", status)
	}
	if csChanged {
		s.emitState(it, "channel_status", channelStatus)
	}
}

func (s *Session) setChannelStatus(it *Interaction, cs string) {
	if it.ChannelStatus != cs {
		it.ChannelStatus = cs
		s.emitState(it, "channel_status", cs)
	}
}

// add puts a new interaction in the panel and announces it.
func (s *Session) add(it *Interaction) {
	s.interactions = append(s.interactions, it)
	s.out.Created = it.ID
	s.emitState(it, "status", it.Status)
}

// remove takes an interaction out of the panel; how ("handled",
// "rejected") explains it to anyone who asks for it later.
func (s *Session) remove(it *Interaction, how string) {
	s.interactions = slices.DeleteFunc(s.interactions, func(x *Interaction) bool { return x == it })
	s.gone[it.ID] = how
	for _, other := range s.interactions {
		if other.consult == it {
			other.consult = nil
		}
	}
	if s.active == it {
		var next *Interaction
		for i := len(s.interactions) - 1; i >= 0; i-- {
			if owned(s.interactions[i]) {
				next = s.interactions[i]
				break
			}
		}
		s.setActive(next)
	}
}

// owned reports whether the agent works on the interaction: accepted,
// picked or started by the agent, until it is handled.
func owned(it *Interaction) bool {
	switch it.Status {
	case StatusAccepted, StatusOutgoing, StatusEnded:
		return true
	}
	return false
}

// setActive selects the interaction the panel shows, and says so: the
// interaction, or null when none is active any more (the last one left
// the panel, or the agent deselected it). Production sends that null:
// CPC.js's message listener handles an activeInteraction whose value is
// null. Only a change is sent, as CPC.js ignores a null that repeats.
// The null names no interaction, so only the global instances hear it
// (emitState's routing with no interaction).
func (s *Session) setActive(it *Interaction) {
	if s.active == it {
		return
	}
	s.active = it
	if it == nil {
		s.emitState(nil, "activeInteraction", nil)
		return
	}
	s.emitState(it, "activeInteraction", it)
}

// available reports whether routing offers interactions to the agent.
func (s *Session) available() bool {
	return s.user.LoginStatus == "logged_in" && s.user.WorkStatus == "ready"
}

// route offers the queued interactions of served queues to an available
// agent, oldest first, up to the capacity of their channel: no call rings
// for an agent on a call.
func (s *Session) route() {
	if !s.available() {
		return
	}
	for _, it := range s.interactions {
		if it.Status == StatusQueued && it.queue.Serve && s.load(it.channel) < capacity[it.channel] {
			s.setStatus(it, StatusIncoming, CSRinging)
		}
	}
}

// load counts the interactions of a channel that occupy the agent:
// offered, or in hand and not ended (a held call, a call still dialling
// and a draft included).
func (s *Session) load(channel string) int {
	n := 0
	for _, it := range s.interactions {
		if it.channel == channel && (it.Status == StatusIncoming || it.Status == StatusAccepted || it.Status == StatusOutgoing) {
			n++
		}
	}
	return n
}

// lineFree checks that the agent's one softphone can take another call:
// not while it is dialling one whose outcome has not come.
func (s *Session) lineFree() error {
	for _, it := range s.interactions {
		if it.channel == Phone && it.Status == StatusOutgoing && it.ChannelStatus == CSCalling {
			return fmt.Errorf("the agent's softphone is dialling %s: wait for its outcome or hang it up before another call", it.ID)
		}
	}
	return nil
}

// holdLive puts the agent's connected call on hold, as a softphone does
// before it takes another call: the agent talks on one call at a time.
func (s *Session) holdLive(except *Interaction) {
	for _, it := range s.interactions {
		if it != except && it.channel == Phone && it.inProgress() && !it.held {
			it.held = true
			s.setChannelStatus(it, it.mediaStatus())
		}
	}
}

// takeCall readies the softphone for a call the agent takes (accepts,
// picks, dials): refused while another is dialling, and any connected
// call goes on hold first. It is nothing for the other channels.
func (s *Session) takeCall(it *Interaction) error {
	if it.channel != Phone {
		return nil
	}
	if err := s.lineFree(); err != nil {
		return err
	}
	s.holdLive(it)
	return nil
}

// queueFor finds a queue by name or id, or the first queue of a channel.
func (s *Session) queueFor(channel, nameOrID string) (*Queue, error) {
	if nameOrID != "" {
		for _, q := range s.queues {
			if q.Name == nameOrID || q.ID == nameOrID {
				if channel != "" && q.channel != channel {
					return nil, fmt.Errorf("queue %q takes %s, not %s", q.Name, q.channel, channel)
				}
				return q, nil
			}
		}
		var names []string
		for _, q := range s.queues {
			names = append(names, q.Name)
		}
		return nil, errors.New(unknownWord("queue", nameOrID, names))
	}
	for _, q := range s.queues {
		if q.channel == channel {
			return q, nil
		}
	}
	return nil, fmt.Errorf("no queue takes %s: add a %s queue to the config", channel, channel)
}

// queueByAddress finds the queue of a channel that owns an address, for the
// sender of an outbound, or the channel's first queue.
func (s *Session) queueByAddress(channel, address string) (*Queue, error) {
	for _, q := range s.queues {
		if q.channel == channel && q.address == address {
			return q, nil
		}
	}
	return s.queueFor(channel, "")
}

// takeOwnership records that the agent now works on the interaction.
func (s *Session) takeOwnership(it *Interaction) {
	it.TerminalID = s.user.TerminalID
	wait := s.clock().Sub(it.createdAt).Seconds()
	it.WaitingTime = &wait
	if conversation(it.channel) {
		it.Participants = append(it.Participants, s.agentParticipant())
	}
	s.startFor(it)
}

func (s *Session) agentParticipant() Participant {
	return Participant{UniqueKey: s.user.Username, Alias: s.user.Alias, Status: "not_typing", Capability: "text"}
}

func (s *Session) accept(it *Interaction) error {
	switch it.Status {
	case StatusIncoming:
	case StatusQueued:
		return fmt.Errorf("%s is queued, not offered to the agent: pick it instead", describe(it))
	case StatusAccepted:
		return fmt.Errorf("%s is already accepted", describe(it))
	default:
		return fmt.Errorf("%s is %s: only an offered (incoming) interaction can be accepted", describe(it), it.Status)
	}
	if err := s.takeCall(it); err != nil {
		return err
	}
	s.takeOwnership(it)
	s.setStatus(it, StatusAccepted, CSConnected)
	s.setActive(it)
	return nil
}

func (s *Session) pick(it *Interaction) error {
	switch it.Status {
	case StatusQueued:
	case StatusIncoming:
		return fmt.Errorf("%s is offered to the agent: accept it instead", describe(it))
	default:
		return fmt.Errorf("%s is %s: only a queued interaction can be picked", describe(it), it.Status)
	}
	if err := s.takeCall(it); err != nil {
		return err
	}
	s.takeOwnership(it)
	s.setStatus(it, StatusAccepted, CSConnected)
	s.setActive(it)
	return nil
}

func (s *Session) reject(it *Interaction) error {
	if it.Status != StatusIncoming {
		hint := ""
		if owned(it) {
			hint = ": hang up or handle it instead"
		}
		return fmt.Errorf("%s is %s: only an offered (incoming) interaction can be rejected%s", describe(it), it.Status, hint)
	}
	s.setStatus(it, StatusRejected, CSRejected)
	s.remove(it, "rejected")
	return nil
}

func (s *Session) hangup(it *Interaction) error {
	if it.draft != nil {
		return errDraft(it)
	}
	if it.channel == Email {
		return fmt.Errorf("%s has no call to hang up: handle it instead", describe(it))
	}
	calling := it.Status == StatusOutgoing && it.ChannelStatus == CSCalling
	if !it.inProgress() && !calling {
		return fmt.Errorf("%s is not in progress (status %s, channel_status %s): there is nothing to hang up", describe(it), it.Status, it.ChannelStatus)
	}
	it.held, it.muted = false, false
	s.setStatus(it, StatusEnded, CSDisconnected)
	return nil
}

func (s *Session) handle(it *Interaction) error {
	if it.draft != nil {
		return errDraft(it)
	}
	switch it.Status {
	case StatusEnded:
	case StatusAccepted, StatusOutgoing:
		if it.channel == Phone {
			return fmt.Errorf("%s is still on the line: hang up before handling it", describe(it))
		}
	default:
		return fmt.Errorf("%s is %s: the agent has not taken it, so there is nothing to handle", describe(it), it.Status)
	}
	cs := it.ChannelStatus
	if it.inProgress() {
		cs = CSDisconnected // handling a chat or an email closes it
	}
	s.setStatus(it, StatusHandled, cs)
	s.stopFor(it)
	s.remove(it, "handled")
	return nil
}

func (s *Session) callState(it *Interaction, op string) error {
	if it.channel != Phone {
		return fmt.Errorf("callState is for phone interactions; %s is a %s interaction", it.ID, it.channel)
	}
	if !it.inProgress() {
		return fmt.Errorf("the call %s is not in progress (status %s, channel_status %s)", it.ID, it.Status, it.ChannelStatus)
	}
	switch op {
	case "hold":
		if it.held {
			return fmt.Errorf("the call %s is already on hold", it.ID)
		}
		it.held = true
	case "unhold":
		if !it.held {
			return fmt.Errorf("the call %s is not on hold", it.ID)
		}
		if err := s.lineFree(); err != nil {
			return err
		}
		s.holdLive(it) // back to this call: the one the agent talked on waits
		it.held = false
	case "mute":
		if it.muted {
			return fmt.Errorf("the call %s is already muted", it.ID)
		}
		it.muted = true
	case "unmute":
		if !it.muted {
			return fmt.Errorf("the call %s is not muted", it.ID)
		}
		it.muted = false
	case "startRecording", "stopRecording":
		start := op == "startRecording"
		if start && s.user.Permissions.Recording != "enabled" {
			return fmt.Errorf("the agent may not record calls: permissions.recording is %q", s.user.Permissions.Recording)
		}
		if *it.Recording == start {
			if start {
				return fmt.Errorf("the call %s is already being recorded", it.ID)
			}
			return fmt.Errorf("the call %s is not being recorded", it.ID)
		}
		*it.Recording = start
		// Recording is not a notified attribute: the change shows in the
		// interaction's details, not in a state message.
		return nil
	}
	s.setChannelStatus(it, it.mediaStatus())
	return nil
}

func (s *Session) transfer(it *Interaction, to string, cad map[string]any) (*Interaction, error) {
	if !it.inProgress() {
		return nil, fmt.Errorf("%s is not in progress (status %s): only an interaction in progress can be transferred", describe(it), it.Status)
	}
	if to == "" {
		return nil, errors.New("transfer needs value.to: the number, address or queue to transfer to")
	}
	leg := s.newInteraction(it.channel, it.queue)
	leg.Status = StatusOutgoing
	leg.ChannelStatus = CSTransferring
	leg.Originator = it.Originator
	leg.Destination = to
	leg.Title = it.Title
	leg.Content = it.Content
	leg.OrigQueue = &QueueRef{ID: it.queue.ID, Name: it.queue.Name}
	copyAttached(leg.AttachedData, it.AttachedData)
	copyAttached(leg.AttachedData, cad)
	if it.Transcript != nil {
		leg.Transcript = &Transcript{Messages: slices.Clone(it.Transcript.Messages)}
	}
	it.held, it.muted = false, false
	s.setStatus(it, StatusEnded, CSTransferring)
	return leg, nil
}

func (s *Session) consult(it *Interaction, to string) (*Interaction, error) {
	if it.channel != Phone && it.channel != Chat {
		return nil, fmt.Errorf("consult is for phone and chat interactions; %s is a %s interaction", it.ID, it.channel)
	}
	if it.ConsultFor != "" {
		return nil, fmt.Errorf("%s is itself a consultation: consult from the original interaction %s", it.ID, it.ConsultFor)
	}
	if !it.inProgress() {
		return nil, fmt.Errorf("%s is not in progress (status %s): only an interaction in progress can be consulted on", describe(it), it.Status)
	}
	if it.consult != nil {
		return nil, fmt.Errorf("%s already has a consultation in progress: %s", describe(it), it.consult.ID)
	}
	if to == "" {
		return nil, errors.New("consult needs value.to: the number or agent to consult")
	}
	if it.channel == Phone {
		if err := s.lineFree(); err != nil {
			return nil, err
		}
	}
	c := s.newInteraction(it.channel, it.queue)
	c.outbound = true
	c.Status = StatusOutgoing
	c.ConsultFor = it.ID
	c.Destination = to
	c.Title = "Consultation with " + to
	copyAttached(c.AttachedData, it.AttachedData)
	if it.channel == Phone {
		c.ChannelStatus = CSCalling
		c.Originator = s.user.Extension
		s.holdLive(nil) // the call consulted on waits, as would any other
	} else {
		c.ChannelStatus = CSConnected
		c.Originator = s.user.Alias
		c.Participants = []Participant{s.agentParticipant(),
			{UniqueKey: "consultee", Alias: to, Status: "not_typing", Capability: "text"}}
	}
	it.consult = c
	c.TerminalID = s.user.TerminalID
	s.startFor(c)
	s.add(c)
	s.setActive(c)
	return c, nil
}

func (s *Session) join(it *Interaction) (*Interaction, error) {
	if it.channel != Phone {
		return nil, fmt.Errorf("join is for phone interactions; %s is a %s interaction", it.ID, it.channel)
	}
	orig, c := it, it.consult
	if it.ConsultFor != "" {
		var err error
		if orig, err = s.lookup(it.ConsultFor); err != nil {
			return nil, fmt.Errorf("the call %s consulted on cannot be joined: %w", it.ConsultFor, err)
		}
		c = it
	}
	if c == nil {
		return nil, fmt.Errorf("%s has no consultation to join: consult first", describe(it))
	}
	if !c.inProgress() {
		return nil, fmt.Errorf("the consultation %s has not been answered (channel_status %s): join it once it is connected", c.ID, c.ChannelStatus)
	}
	if !orig.inProgress() {
		return nil, fmt.Errorf("the original call %s is not in progress (status %s)", orig.ID, orig.Status)
	}
	conf := s.ids()
	orig.ConferenceID, c.ConferenceID = conf, conf
	orig.held, orig.muted, c.held, c.muted = false, false, false, false
	orig.consult = nil
	s.setStatus(orig, StatusEnded, CSDisconnected)
	s.setStatus(c, StatusEnded, CSDisconnected)
	return orig, nil
}

// say adds a message to a conversation, from the agent or the customer.
func (s *Session) say(it *Interaction, agent bool, text string) error {
	if !conversation(it.channel) {
		hint := "use dtmf to send tones to a call"
		if it.channel == Email {
			hint = "answer an email with an outbound email"
		}
		return fmt.Errorf("message is for chat, sms and whatsapp interactions; %s is a %s interaction: %s", it.ID, it.channel, hint)
	}
	if text == "" {
		return errors.New("message needs value.content: the text to send")
	}
	if it.draft != nil {
		return errDraft(it)
	}
	who := "customer"
	if agent {
		if !it.inProgress() {
			return fmt.Errorf("%s is not in progress (status %s): the agent cannot write to it", describe(it), it.Status)
		}
		who = s.user.Username
	} else if it.Status == StatusEnded || it.Status == StatusHandled || it.Status == StatusRejected {
		return fmt.Errorf("%s is %s: the customer has left", describe(it), it.Status)
	}
	m := TranscriptMessage{ID: s.ids(), Message: text, Timestamp: timestamp(s.clock()), Originator: who}
	it.Transcript.Messages = append(it.Transcript.Messages, m)
	for i := range it.Participants {
		if it.Participants[i].UniqueKey == who {
			it.Participants[i].Status = "not_typing"
		}
	}
	s.emitState(it, "message", m)
	return nil
}

var dtmfDigits = regexp.MustCompile(`^[0-9*#A-Da-d]+$`)

func (s *Session) sendDTMF(it *Interaction, digits string) error {
	if it.channel != Phone {
		return fmt.Errorf("dtmf is for phone interactions; %s is a %s interaction: send a message instead", it.ID, it.channel)
	}
	if !it.inProgress() {
		return fmt.Errorf("the call %s is not in progress (status %s)", it.ID, it.Status)
	}
	if it.held {
		return fmt.Errorf("the call %s is on hold: unhold it before sending tones", it.ID)
	}
	if !dtmfDigits.MatchString(digits) {
		return fmt.Errorf("dtmf needs value.content with the tones to send (0-9, *, #, A-D), not %q", digits)
	}
	// Tones are not a notified attribute; the page shows what was sent.
	it.dtmf = append(it.dtmf, digits)
	return nil
}

// setCAD merges caller data into an interaction; a null value removes a key.
func (s *Session) setCAD(it *Interaction, set map[string]any) {
	changed := false
	for k, v := range set {
		old, had := it.AttachedData[k]
		switch {
		case v == nil && had:
			delete(it.AttachedData, k)
			changed = true
		case v != nil && (!had || !reflect.DeepEqual(old, v)):
			it.AttachedData[k] = cloneJSON(v)
			changed = true
		}
	}
	if changed {
		s.emitState(it, "cad", it.AttachedData)
	}
}

// canOutbound checks what an outbound needs before anything is created.
func (s *Session) canOutbound(r OutboundRequest) error {
	if s.user.LoginStatus != "logged_in" {
		return errors.New("the agent is logged out: log in before starting an outbound " + r.Channel)
	}
	if r.Channel == Phone {
		if !s.user.Phone.SIPConnected {
			return errors.New("the agent's softphone is disconnected (phone_status): it cannot place a call")
		}
		if err := s.lineFree(); err != nil {
			return err
		}
	}
	_, err := s.queueByAddress(r.Channel, r.From)
	return err
}

// outbound creates an outgoing interaction now: a call dials (any
// connected call goes on hold first), an SMS, WhatsApp or email is sent,
// or, as a draft, opens for the agent to send or discard.
func (s *Session) outbound(r OutboundRequest, draft bool) (*Interaction, error) {
	if err := s.canOutbound(r); err != nil {
		return nil, err
	}
	q, _ := s.queueByAddress(r.Channel, r.From)
	it := s.newInteraction(r.Channel, q)
	it.outbound = true
	it.Status = StatusOutgoing
	it.Destination = r.To[0]
	it.Title = r.To[0]
	it.TerminalID = s.user.TerminalID
	from := r.From
	switch r.Channel {
	case Phone:
		it.ChannelStatus = CSCalling
		if from == "" {
			from = s.user.VisibleANumber
		}
		s.holdLive(nil)
	case SMS, WhatsApp:
		it.ChannelStatus = CSConnected
		if from == "" {
			from = q.address
		}
		it.Participants = []Participant{s.agentParticipant(),
			{UniqueKey: "customer", Alias: r.To[0], Status: "not_typing", Capability: "text"}}
	case Email:
		it.ChannelStatus = CSConnected
		if from == "" {
			from = s.user.DefaultEmailFrom
		}
		it.FromAddress = &Address{Address: from}
		setEmail(it, r)
	}
	it.Originator = from
	if draft {
		d := r.clone()
		d.From = from
		it.draft = &d
		it.ChannelStatus = CSOutboundPreview
	}
	s.startFor(it)
	s.add(it)
	if !draft && conversation(r.Channel) && r.Content != "" {
		_ = s.say(it, true, r.Content) // cannot fail: the conversation is in progress
	}
	s.setActive(it)
	return it, nil
}

// setEmail writes an outbound email's subject, body and recipients.
func setEmail(it *Interaction, r OutboundRequest) {
	it.Title = r.Subject
	if it.Title == "" {
		it.Title = "(no subject)"
	}
	it.Content = r.Content
	it.ToAddress = addresses(r.To)
	it.CcAddress = addresses(r.CC)
	it.BccAddress = addresses(r.BCC)
}

// errDraft refuses what cannot be done to a draft the agent has not sent.
func errDraft(it *Interaction) error {
	return fmt.Errorf("%s is a draft the agent has not sent: send or discard it", describe(it))
}

// draftNamed finds a draft by id, or with no id the oldest in the panel.
func (s *Session) draftNamed(id string) (*Interaction, error) {
	if id == "" {
		for _, it := range s.interactions {
			if it.draft != nil {
				return it, nil
			}
		}
		return nil, errors.New("no draft is open: an extension opens one with an outbound sms, whatsapp or email without direct")
	}
	it, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	if it.draft == nil {
		return nil, fmt.Errorf("%s is not a draft (status %s, channel_status %s): only an extension's outbound without direct opens one", describe(it), it.Status, it.ChannelStatus)
	}
	return it, nil
}

// sendDraft sends a draft with the agent's edits (empty: the draft's
// own): it connects, and an SMS's or WhatsApp's content becomes the first
// message of the conversation.
func (s *Session) sendDraft(it *Interaction, to []string, subject, content string) error {
	d := it.draft.clone()
	if len(to) > 0 {
		d.To = slices.Clone(to)
	}
	if slices.Contains(d.To, "") {
		return errors.New("a recipient is empty: give an address or a number")
	}
	if it.channel != Email && len(d.To) != 1 {
		return fmt.Errorf("%s goes to one number, not %d", describe(it), len(d.To))
	}
	if subject != "" {
		if it.channel != Email {
			return fmt.Errorf("%s has no subject: only an email has one", describe(it))
		}
		d.Subject = subject
	}
	if content != "" {
		d.Content = content
	}
	if conversation(it.channel) && d.Content == "" {
		return fmt.Errorf("the %s draft has no message: write one before sending it", it.channel)
	}
	it.draft = nil
	it.Destination = d.To[0]
	if it.channel == Email {
		setEmail(it, d)
	} else {
		it.Title = d.To[0]
		for i := range it.Participants {
			if it.Participants[i].UniqueKey == "customer" {
				it.Participants[i].Alias = d.To[0]
			}
		}
	}
	s.out.Created = it.ID
	s.setChannelStatus(it, CSConnected)
	if conversation(it.channel) {
		_ = s.say(it, true, d.Content) // cannot fail: the conversation is in progress
	}
	return nil
}

// discardDraft closes a draft unsent: handled / outbound_rejected, and its
// extensions get exit.
func (s *Session) discardDraft(it *Interaction) {
	it.draft = nil
	s.setStatus(it, StatusHandled, CSOutboundRejected)
	s.stopFor(it)
	s.remove(it, "discarded")
}

func addresses(list []string) []Address {
	if len(list) == 0 {
		return nil
	}
	out := make([]Address, len(list))
	for i, a := range list {
		out[i] = Address{Address: a}
	}
	return out
}

// outcome ends the calling phase of an outgoing call: it connects, or it
// fails with one of the schema's channel statuses.
func (s *Session) outcome(it *Interaction, result string) error {
	if it.channel != Phone || it.Status != StatusOutgoing || it.ChannelStatus != CSCalling {
		return fmt.Errorf("%s is not an outgoing call that is ringing (status %s, channel_status %s): it has no outcome to set", describe(it), it.Status, it.ChannelStatus)
	}
	if !slices.Contains(Outcomes(), result) {
		return errors.New(unknownWord("outcome", result, Outcomes()))
	}
	if result == CSConnected {
		s.setChannelStatus(it, CSConnected)
		return nil
	}
	s.setStatus(it, StatusEnded, result)
	return nil
}

// userNow is the user object with the day's times up to now.
func (s *Session) userNow() User {
	u := s.user
	work, pause := s.dayTimes()
	u.DailyWorkTime = strconv.Itoa(work)
	u.DailyPauseTime = strconv.Itoa(pause)
	return u
}

// dayTimes are the seconds the agent has been logged in and not ready
// today.
func (s *Session) dayTimes() (work, pause int) {
	now := s.clock()
	w, p := s.workSecs, s.pauseSecs
	if !s.loginSince.IsZero() {
		w += now.Sub(s.loginSince).Seconds()
	}
	if !s.pauseSince.IsZero() {
		p += now.Sub(s.pauseSince).Seconds()
	}
	return int(w), int(p)
}

// userCache holds the user object's JSON for as long as it stays the same:
// extensions ask for it more than for anything else, and encoding it is
// most of the cost of answering.
type userCache struct {
	rev, work, pause int
	data             json.RawMessage
}

// userJSON is the user object, encoded.
func (s *Session) userJSON() (json.RawMessage, error) {
	work, pause := s.dayTimes()
	c := &s.userCache
	if c.data != nil && c.rev == s.userRev && c.work == work && c.pause == pause {
		return c.data, nil
	}
	u := s.user
	u.DailyWorkTime, u.DailyPauseTime = strconv.Itoa(work), strconv.Itoa(pause)
	data, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	*c = userCache{rev: s.userRev, work: work, pause: pause, data: data}
	return data, nil
}

func (s *Session) profile(nameOrID string) (*Profile, error) {
	var names []string
	for i := range s.user.PresenceProfiles {
		p := &s.user.PresenceProfiles[i]
		if p.Name == nameOrID || p.ID == nameOrID {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return nil, errors.New(unknownWord("presence profile", nameOrID, names))
}

func (s *Session) currentProfile() *Profile {
	p, _ := s.profile(s.user.Presence)
	return p
}

func (s *Session) login() error {
	if s.user.LoginStatus == "logged_in" {
		return errors.New("the agent is already logged in")
	}
	now := s.clock()
	s.userRev++
	s.user.LoginStatus = "logged_in"
	s.loginSince = now
	s.startGlobals()
	s.emitStatus("login_status", "logged_in")
	defer s.releaseHostInit() // after the login's status events, which it drops (CPC.js sends init with payload false)
	// An agent starts the day not ready, as in the panel.
	if s.user.WorkStatus != "not_ready" {
		s.user.WorkStatus = "not_ready"
		s.emitStatus("work_status", "not_ready")
	}
	s.pauseSince = now
	return nil
}

func (s *Session) logout() error {
	if s.user.LoginStatus != "logged_in" {
		return errors.New("the agent is already logged out")
	}
	n, drafts := 0, 0
	for _, it := range s.interactions {
		switch {
		case it.draft != nil:
			drafts++
		case owned(it):
			n++
		}
	}
	switch {
	case drafts > 0 && n > 0:
		return fmt.Errorf("the agent has %d interaction(s) and %d draft(s) in the panel: handle the interactions, and send or discard the drafts, before logging out", n, drafts)
	case drafts > 0:
		return fmt.Errorf("the agent has %d draft(s) in the panel: send or discard them before logging out", drafts)
	case n > 0:
		return fmt.Errorf("the agent has %d interaction(s) in the panel: handle them before logging out", n)
	}
	for _, it := range s.interactions {
		if it.Status == StatusIncoming {
			s.setStatus(it, StatusQueued, CSKnocking) // back to its queue
		}
	}
	now := s.clock()
	s.workSecs += now.Sub(s.loginSince).Seconds()
	if !s.pauseSince.IsZero() {
		s.pauseSecs += now.Sub(s.pauseSince).Seconds()
	}
	s.loginSince, s.pauseSince = time.Time{}, time.Time{}
	s.userRev++
	s.user.LoginStatus = "logged_out"
	s.emitStatus("login_status", "logged_out")
	for _, in := range s.instances {
		if in.global() {
			s.stopping = append(s.stopping, in)
		}
	}
	return nil
}

func (s *Session) setWorkStatus(ws string) error {
	if !slices.Contains(workStatuses, ws) {
		return errors.New(unknownWord("work status", ws, workStatuses))
	}
	if s.user.LoginStatus != "logged_in" {
		return errors.New("the agent is logged out: log in first")
	}
	if ws == "ready" {
		if p := s.currentProfile(); p != nil && p.Type == "absence" {
			return fmt.Errorf("the presence profile %q is an absence: choose a presence profile before going ready", p.Name)
		}
	}
	if s.user.WorkStatus == ws {
		return nil
	}
	now := s.clock()
	if s.user.WorkStatus == "not_ready" && !s.pauseSince.IsZero() {
		s.pauseSecs += now.Sub(s.pauseSince).Seconds()
		s.pauseSince = time.Time{}
	}
	if ws == "not_ready" {
		s.pauseSince = now
	}
	s.userRev++
	s.user.WorkStatus = ws
	s.emitStatus("work_status", ws)
	s.route()
	return nil
}

func (s *Session) setProfile(nameOrID string) error {
	p, err := s.profile(nameOrID)
	if err != nil {
		return err
	}
	if s.user.Presence == p.ID {
		return nil
	}
	s.userRev++
	s.user.Presence = p.ID
	s.emitStatus("profile", *p)
	if p.Type == "absence" && s.user.WorkStatus == "ready" {
		return s.setWorkStatus("not_ready")
	}
	return nil
}

func (s *Session) setPhoneStatus(v string) error {
	if !slices.Contains(phoneStatuses, v) {
		return errors.New(unknownWord("phone status", v, phoneStatuses))
	}
	connected := v == "connected"
	if s.user.Phone.SIPConnected == connected {
		return nil
	}
	s.userRev++
	s.user.Phone.SIPConnected = connected
	s.emitStatus("phone_status", v)
	return nil
}
