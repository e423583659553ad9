package state

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestQueuesAsCPCReadsThem: detail queues carries what production's
// client library reads of a queue: type, the channel getCurrentUserQueues
// filters on (phone, chat, email; SMS and WhatsApp queues are chat queues
// with a channel_sub_type, as their interactions are), and addresses, the
// list callOut looks a source number up in.
func TestQueuesAsCPCReadsThem(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p, _ := h.action(h.global(), `{"command":"detail","value":"queues"}`)
	type queue struct{ name, typ, sub, address string }
	var got []queue
	for _, x := range p["value"].([]any) {
		q := x.(map[string]any)
		sub, _ := q["channel_sub_type"].(string)
		addresses := q["addresses"].([]any)
		if len(addresses) != 1 {
			t.Errorf("queue %v has addresses %v, want one", q["name"], addresses)
			continue
		}
		got = append(got, queue{q["name"].(string), q["type"].(string), sub, addresses[0].(map[string]any)["address"].(string)})
	}
	want := []queue{
		{"Sales", "phone", "", "+358201230100"},
		{"Support", "phone", "", "+358201230200"},
		{"Web Chat", "chat", "", "chat.example.com"},
		{"Customer Care Email", "email", "", "support@example.com"},
		{"SMS Service", "chat", "sms", "+358201230300"},
		{"WhatsApp Business", "chat", "whatsapp", "+358201230400"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(queue{})); diff != "" {
		t.Errorf("queues (-want +got):\n%s", diff)
	}

	// callOut(number, "+358201230200"): the source is a phone queue's
	// address, so CPC.js sends the outbound, and it goes from that queue.
	phone := slices.DeleteFunc(slices.Clone(got), func(q queue) bool { return q.typ != "phone" })
	if !slices.ContainsFunc(phone, func(q queue) bool { return q.address == "+358201230200" }) {
		t.Fatalf("no phone queue has the address +358201230200: %v", phone)
	}

	// A queue the config gives no address has its name as its address.
	h = newHarness(t, func(d *Data) { d.Queues = append(d.Queues, QueueData{Name: "Billing", Channel: Phone}) })
	p, _ = h.action(h.global(), `{"command":"detail","value":"queues"}`)
	list := p["value"].([]any)
	if a := list[len(list)-1].(map[string]any)["addresses"]; !cmp.Equal(a, []any{map[string]any{"address": "Billing"}}) {
		t.Errorf("Billing's addresses = %v", a)
	}
}

// TestUserAsCPCReadsIt: detail user carries every field production's
// client library reads of the user (CPC.js currentUser, setPresence and
// their docs): id, name, presence, presence_profiles with id and name,
// default_sms_from and default_email_from.
func TestUserAsCPCReadsIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p, _ := h.action(h.global(), `{"command":"detail","value":"user"}`)
	u := p["value"].(map[string]any)
	for _, f := range []string{"id", "presence", "default_sms_from", "default_email_from"} {
		if s, _ := u[f].(string); s == "" {
			t.Errorf("user.%s = %#v, want a string", f, u[f])
		}
	}
	if idPattern.FindString(u["id"].(string)) == "" {
		t.Errorf("user.id %v is not 32 letters and digits", u["id"])
	}
	if name := u["name"].(map[string]any); name["first_name"] != "Maria" || name["last_name"] != "Lindqvist" {
		t.Errorf("user.name = %v", name)
	}
	found := false
	for _, x := range u["presence_profiles"].([]any) {
		pr := x.(map[string]any)
		if pr["id"] == "" || pr["name"] == "" {
			t.Errorf("presence profile %v lacks its id or name", pr)
		}
		found = found || pr["id"] == u["presence"]
	}
	if !found {
		t.Errorf("user.presence %v is none of the presence_profiles' ids", u["presence"])
	}
}
