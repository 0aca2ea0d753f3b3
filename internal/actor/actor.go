// Package actor describes who is acting: every service method takes an
// Actor and decides from it what the caller may see and do.
package actor

import "github.com/detente/detente/internal/errs"

// Role is what an account may do across the installation.
type Role string

const (
	Secretariat Role = "secretariat" // manages the directory; not party to bilateral traffic
	StateAdmin  Role = "state_admin" // manages its own State's POCs and accounts
	POC         Role = "poc"         // a nominated point of contact
	Viewer      Role = "viewer"      // read-only staff of a State
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{Secretariat, StateAdmin, POC, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case Secretariat, StateAdmin, POC, Viewer:
		return true
	}
	return false
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case Secretariat:
		return "Secretariat"
	case StateAdmin:
		return "State administrator"
	case POC:
		return "Point of contact"
	case Viewer:
		return "Viewer"
	}
	return string(r)
}

// Scope limits what an API token may do.
type Scope string

const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// Actor is the caller of a service method. The zero value is the anonymous
// public visitor.
type Actor struct {
	AccountID string
	Email     string
	Role      Role
	State     string // ISO alpha-2 of the account's State; empty for the secretariat
	// ReadOnly is set for API tokens without the write scope.
	ReadOnly bool
	// ViaToken is set when the caller authenticated with an API token
	// rather than a signed-in session. Some things, like minting tokens,
	// need a person at a browser.
	ViaToken bool
}

// Anonymous is the public visitor.
var Anonymous = Actor{}

// Authenticated reports whether the actor signed in.
func (a Actor) Authenticated() bool { return a.AccountID != "" }

// IsSecretariat reports whether the actor is the directory manager.
func (a Actor) IsSecretariat() bool { return a.Authenticated() && a.Role == Secretariat }

// OfState reports whether the actor belongs to State code.
func (a Actor) OfState(code string) bool {
	return a.Authenticated() && a.State != "" && a.State == code
}

// Label names the actor in audit entries and logs.
func (a Actor) Label() string {
	if !a.Authenticated() {
		return "anonymous"
	}
	return a.Email
}

// RequireSignedIn fails for the anonymous visitor.
func (a Actor) RequireSignedIn() error {
	if !a.Authenticated() {
		return errs.E(errs.Unauthenticated, "please sign in")
	}
	return nil
}

// RequireWrite fails for anonymous callers and read-only tokens.
func (a Actor) RequireWrite() error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	if a.ReadOnly {
		return errs.E(errs.Forbidden, "this token may only read")
	}
	if a.Role == Viewer {
		return errs.E(errs.Forbidden, "viewers may only read")
	}
	return nil
}

// Operator is whoever runs the command line on the server (detente admin,
// detente demo). It has the secretariat's authority and is named as such in
// the audit log.
var Operator = Actor{AccountID: "operator", Email: "operator (command line)", Role: Secretariat}

// Scheduler is detente itself acting on a schedule (notifications,
// reminders, escalations), as named in timelines and the audit log. It has
// no role: it is never an argument to a method that checks permissions.
var Scheduler = Actor{AccountID: "system", Email: "detente (scheduler)"}
