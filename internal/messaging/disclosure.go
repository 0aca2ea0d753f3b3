package messaging

import (
	"fmt"
	"slices"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/tlp"
)

// The disclosure policy: for each TLP 2.0 label, how far each channel a
// communication can leave by may carry it. It is the one place this is
// decided. The page and the API (mayRead), lists and search (readableSQL),
// mail (notify asks MailTo and MailContent) and webhooks (hookMessage asks
// WebhookContent) all read this table, and TestDisclosurePolicy in package
// notify walks label × channel × audience through every channel.

// Channel is a way a communication, or word of it, leaves the store.
type Channel string

const (
	ChanRead        Channel = "read"             // the page and the API open it
	ChanList        Channel = "list"             // it appears in lists and search results
	ChanMailClear   Channel = "mail-clear"       // its content in an unencrypted mail
	ChanMailSealed  Channel = "mail-encrypted"   // its content in a mail encrypted to the POC's OpenPGP key
	ChanMailNotice  Channel = "mail-notice"      // a mail without content: "sign in to read"
	ChanHookContent Channel = "webhook-content"  // subject, body and fields in a webhook payload
	ChanHookNotice  Channel = "webhook-announce" // an event saying it exists: ids, type, label, deliveries
)

// Channels lists every channel, for tests and documentation.
func Channels() []Channel {
	return []Channel{ChanRead, ChanList, ChanMailClear, ChanMailSealed, ChanMailNotice, ChanHookContent, ChanHookNotice}
}

// Reach is who a channel may carry a communication to.
type Reach int

const (
	Nobody        Reach = iota
	Named               // the author, and the people named on a TLP:RED message (POC entries linked to them, for mail)
	Parties             // the accounts of the sender's State and of the recipient States (their POCs, for mail)
	StateAccounts       // every account of any State of this installation
	SignedIn            // anyone signed in, the secretariat included
)

func (r Reach) String() string {
	return [...]string{"nobody", "named people", "the parties' States", "every State", "anyone signed in"}[r]
}

// disclosure is the table. The secretariat manages the directory but is not
// party to State-to-State traffic, so it reads CLEAR only. Content above
// GREEN never travels unencrypted: a POC without a key gets a notice.
// Webhooks are not encrypted end to end, so they carry content only where
// plain mail may; they announce every message to the parties' States,
// which then sign in to read it.
var disclosure = map[tlp.Label]map[Channel]Reach{
	tlp.Clear: {
		ChanRead: SignedIn, ChanList: SignedIn,
		ChanMailClear: Parties, ChanMailSealed: Parties, ChanMailNotice: Parties,
		ChanHookContent: Parties, ChanHookNotice: Parties,
	},
	tlp.Green: {
		ChanRead: StateAccounts, ChanList: StateAccounts,
		ChanMailClear: Parties, ChanMailSealed: Parties, ChanMailNotice: Parties,
		ChanHookContent: Parties, ChanHookNotice: Parties,
	},
	tlp.Amber: {
		ChanRead: Parties, ChanList: Parties,
		ChanMailClear: Nobody, ChanMailSealed: Parties, ChanMailNotice: Parties,
		ChanHookContent: Nobody, ChanHookNotice: Parties,
	},
	tlp.AmberStrict: {
		ChanRead: Parties, ChanList: Parties,
		ChanMailClear: Nobody, ChanMailSealed: Parties, ChanMailNotice: Parties,
		ChanHookContent: Nobody, ChanHookNotice: Parties,
	},
	tlp.Red: {
		ChanRead: Named, ChanList: Named,
		ChanMailClear: Nobody, ChanMailSealed: Named, ChanMailNotice: Named,
		ChanHookContent: Nobody, ChanHookNotice: Parties,
	},
}

// Disclosure returns how far ch may carry a communication marked l. An
// unknown label reaches nobody.
func Disclosure(l tlp.Label, ch Channel) Reach { return disclosure[l][ch] }

// audience is what decides who may read a message.
type audience struct {
	TLP           tlp.Label
	SenderState   string
	SenderAccount string
	Recipients    []string // States
	Named         []string // accounts, for TLP:RED
}

// reaches reports whether r includes the account a, for a message with
// audience m.
func reaches(r Reach, a actor.Actor, m audience) bool {
	if !a.Authenticated() || r == Nobody {
		return false
	}
	if a.AccountID == m.SenderAccount {
		return true
	}
	switch r {
	case SignedIn:
		return true
	case StateAccounts:
		return a.State != ""
	case Parties:
		return a.State != "" && (a.State == m.SenderState || slices.Contains(m.Recipients, a.State))
	case Named:
		return slices.Contains(m.Named, a.AccountID)
	}
	return false
}

// namedOnly reports whether l goes to named people only (TLP:RED), so a
// message marked so must name them.
func namedOnly(l tlp.Label) bool { return Disclosure(l, ChanRead) == Named }

// mayRead is TLP 2.0 as an access rule for the page and the API.
func mayRead(a actor.Actor, m audience) bool { return reaches(Disclosure(m.TLP, ChanRead), a, m) }

// readableSQL returns a condition on the messages table aliased m that
// holds exactly for the messages a may see in lists, with its arguments
// numbered from $next. It is written from the table, label by label, and
// so it lives here with the table rather than in a store file: it is the
// policy in SQL, which the store's reads of messages put on what they read.
func readableSQL(a actor.Actor, next int) (string, []any) {
	if !a.Authenticated() {
		return "1=0", nil
	}
	account, state := fmt.Sprintf("$%d", next), fmt.Sprintf("$%d", next+1)
	byReach := map[Reach][]string{}
	for _, l := range tlp.Labels() {
		r := Disclosure(l, ChanList)
		byReach[r] = append(byReach[r], "'"+string(l)+"'")
	}
	conds := []string{"m.sender_account_id = " + account}
	for _, r := range []Reach{SignedIn, StateAccounts, Parties, Named} {
		labels := byReach[r]
		if len(labels) == 0 {
			continue
		}
		in := "m.tlp IN (" + strings.Join(labels, ", ") + ")"
		switch r {
		case SignedIn:
			conds = append(conds, in)
		case StateAccounts:
			conds = append(conds, "("+in+" AND "+state+" <> '')")
		case Parties:
			conds = append(conds, "("+in+" AND "+state+" <> '' AND (m.sender_state = "+state+
				" OR EXISTS (SELECT 1 FROM deliveries rd WHERE rd.message_id = m.id AND rd.state_code = "+state+")))")
		case Named:
			conds = append(conds, "("+in+" AND EXISTS (SELECT 1 FROM message_named rn WHERE rn.message_id = m.id AND rn.account_id = "+account+"))")
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", []any{a.AccountID, a.State}
}

// MailTo reports whether a recipient State's POC entry, linked to the
// account linked (or "" for none), is mailed about m at all.
func MailTo(m Message, linked string) bool {
	switch Disclosure(m.TLP, ChanMailNotice) {
	case Parties, StateAccounts, SignedIn:
		return true
	case Named:
		return linked != "" && slices.Contains(m.Named, linked)
	}
	return false
}

// MailContent reports whether a mail about m may carry its content: in
// clear, or encrypted to the POC's key.
func MailContent(m Message, encrypted bool) bool {
	if encrypted {
		return Disclosure(m.TLP, ChanMailSealed) != Nobody
	}
	return Disclosure(m.TLP, ChanMailClear) != Nobody
}

// WebhookContent reports whether a webhook payload about m may carry its
// content; without it the payload says where to sign in to read it.
func WebhookContent(m Message) bool { return Disclosure(m.TLP, ChanHookContent) != Nobody }
