package api

import (
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/wire"
)

// The response types below are the API's contract, described in
// openapi.json. They are separate from the services' types so that a new
// internal field (a hash, a secret) never reaches clients by accident.

// utc renders times in UTC so every timestamp in the API has the same form.
func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time { return wire.UTCPtr(t) }

type documentOut struct {
	Symbol string `json:"symbol"`
	Title  string `json:"title"`
	Year   int    `json:"year"`
	Body   string `json:"body"`
}

func documentFrom(d catalog.Document) documentOut {
	return documentOut{Symbol: d.Symbol, Title: d.Title, Year: d.Year, Body: d.Body}
}

type topicOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func topicFrom(t catalog.Topic) topicOut { return topicOut{ID: t.ID, Name: t.Name} }

type itemOut struct {
	Label  string    `json:"label,omitempty"`
	Text   string    `json:"text"`
	Source string    `json:"source,omitempty"`
	Items  []itemOut `json:"items,omitempty"`
}

func itemsFrom(items []catalog.Item) []itemOut {
	if len(items) == 0 {
		return nil
	}
	out := make([]itemOut, len(items))
	for i, it := range items {
		out[i] = itemOut{Label: it.Label, Text: it.Text, Source: it.Source, Items: itemsFrom(it.Items)}
	}
	return out
}

type provisionOut struct {
	ID         string    `json:"id"`
	Document   string    `json:"document"`
	Paragraph  string    `json:"paragraph"`
	Citation   string    `json:"citation"`
	Kind       string    `json:"kind"`
	ShortTitle string    `json:"short_title"`
	Text       string    `json:"text"`
	Items      []itemOut `json:"items,omitempty"`
	Note       string    `json:"note,omitempty"`
	Topics     []string  `json:"topics"`
	Related    []string  `json:"related"`
}

func provisionFrom(p catalog.Provision) provisionOut {
	return provisionOut{
		ID: p.ID, Document: p.Document, Paragraph: p.Paragraph, Citation: p.Citation(), Kind: string(p.Kind),
		ShortTitle: p.ShortTitle, Text: p.Text, Items: itemsFrom(p.Items), Note: p.Note,
		Topics: nonNil(p.Topics), Related: nonNil(p.Related),
	}
}

func nonNil(s []string) []string { return wire.NonNil(s) }

type stateOut struct {
	Code       string `json:"code"`
	Alpha3     string `json:"alpha3"`
	Numeric    string `json:"numeric"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	Membership string `json:"membership"`
	// Participation is told to signed-in callers only (the service blanks
	// it for the public), so the two fields are left out, not set to
	// false, for anonymous callers.
	Participating      *bool   `json:"participating,omitempty"`
	ParticipatingSince *string `json:"participating_since,omitempty"`
}

// stateFrom renders st; told says whether the caller may know who
// participates.
func stateFrom(st directory.State, told bool) stateOut {
	out := stateOut{Code: st.Code, Alpha3: st.Alpha3, Numeric: st.Numeric, Name: st.Name, Region: st.Region, Membership: st.Membership}
	if told {
		p := st.Participating()
		out.Participating = &p
		if p {
			d := st.ParticipatingSince.UTC().Format(time.DateOnly)
			out.ParticipatingSince = &d
		}
	}
	return out
}

// pocOut is the shape the API and the web export share.
type pocOut = wire.POC

// pocFrom renders p; link says whether the caller is told its account link.
func pocFrom(p directory.POC, link bool) pocOut { return wire.POCFrom(p, link) }

type versionOut struct {
	Version  int       `json:"version"`
	Action   string    `json:"action"`
	ActorID  string    `json:"actor_id"`
	Actor    string    `json:"actor"`
	At       time.Time `json:"at"`
	Snapshot pocOut    `json:"snapshot"`
}

func versionFrom(v directory.Version, link bool) versionOut {
	return versionOut{Version: v.Version, Action: v.Action, ActorID: v.ActorID, Actor: v.ActorLabel, At: utc(v.At), Snapshot: pocFrom(v.Snapshot, link)}
}

type accountOut struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	DisplayName string     `json:"display_name"`
	Role        string     `json:"role"`
	State       *string    `json:"state"` // null for the secretariat
	TOTPEnabled bool       `json:"totp_enabled"`
	Disabled    bool       `json:"disabled"`
	DisabledAt  *time.Time `json:"disabled_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func accountFrom(a access.Account) accountOut {
	out := accountOut{
		ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Role: string(a.Role), TOTPEnabled: a.TOTPEnabled,
		Disabled: a.DisabledAt != nil, DisabledAt: utcPtr(a.DisabledAt), CreatedAt: utc(a.CreatedAt), UpdatedAt: utc(a.UpdatedAt),
	}
	if a.State != "" {
		st := a.State
		out.State = &st
	}
	return out
}

type tokenOut struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	Active     bool       `json:"active"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func tokenFrom(t access.Token, now time.Time) tokenOut {
	scopes := make([]string, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = string(sc)
	}
	return tokenOut{
		ID: t.ID, Name: t.Name, Scopes: scopes, Active: t.Active(now),
		CreatedAt: utc(t.CreatedAt), ExpiresAt: utc(t.ExpiresAt), RevokedAt: utcPtr(t.RevokedAt), LastUsedAt: utcPtr(t.LastUsedAt),
	}
}

type auditOut struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Label      string    `json:"action_label"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	State      string    `json:"state"`
	Digest     string    `json:"digest"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
	Sealed     bool      `json:"sealed"`
}

func auditFrom(e audit.Entry) auditOut {
	return auditOut{Seq: e.Seq, At: utc(e.At), ActorID: e.ActorID, Actor: e.ActorLabel, Action: e.Action, Label: audit.Label(e.Action), ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, State: e.State, Digest: e.Digest, PrevHash: e.PrevHash, Hash: e.Hash, Sealed: e.Sealed()}
}

// meOut is the caller as the API sees it: the account, and whether the
// token in use may only read.
type meOut struct {
	accountOut
	ReadOnly bool `json:"read_only"`
}

func meFrom(acc access.Account, a actor.Actor) meOut {
	return meOut{accountOut: accountFrom(acc), ReadOnly: a.ReadOnly}
}
