// Package access holds accounts, sign-in, sessions, second factors and API
// tokens, and turns a session or token into the actor.Actor every other
// service authorises against.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Config tunes sessions and throttling.
type Config struct {
	Issuer          string        // shown in authenticator apps
	SessionTTL      time.Duration // absolute lifetime of a session
	SessionIdle     time.Duration // a session unused this long ends
	MaxFailsAccount int           // failed sign-ins per account from one address per window
	MaxFailsAddr    int           // failed sign-ins per client address per window
	// MaxFailsUnderAttack failed sign-ins on one account, from any
	// addresses, make every address that failed on it wait.
	MaxFailsUnderAttack int
	FailWindow          time.Duration // the sliding window the counts cover
	Argon2              Argon2

	// Reset links: BaseURL starts them; with an Outbox they are mailed
	// from MailFrom, in the account's language from Text, without one
	// they are handed to the administrator.
	BaseURL  string
	MailFrom string
	Outbox   Outbox
	Text     *i18n.Catalogue
}

// DefaultConfig is what a server uses unless told otherwise.
func DefaultConfig() Config {
	return Config{
		Issuer:              "detente",
		SessionTTL:          12 * time.Hour,
		SessionIdle:         60 * time.Minute,
		MaxFailsAccount:     5,
		MaxFailsAddr:        20,
		MaxFailsUnderAttack: 50,
		FailWindow:          15 * time.Minute,
		Argon2:              DefaultArgon2,
	}
}

// Service implements the access use cases.
type Service struct {
	db       *store.DB
	audit    *audit.Log
	clock    clock.Clock
	cfg      Config
	sessions *kept[keptSession]
	tokens   *kept[tokenUse]
}

// New returns the access service.
func New(db *store.DB, log *audit.Log, c clock.Clock, cfg Config) *Service {
	return &Service{db: db, audit: log, clock: c, cfg: cfg, sessions: newKept[keptSession](), tokens: newKept[tokenUse]()}
}

// Account is a person (or function mailbox) who signs in.
type Account struct {
	ID          string
	Email       string
	DisplayName string
	Role        actor.Role
	State       string
	TOTPEnabled bool
	TOTPReenrol bool // reset: a new second factor is due before acting
	// Language is the code of the language the person chose for the pages
	// (i18n.Language), or "" to follow the browser.
	Language   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DisabledAt *time.Time
}

// SecondFactorRequired reports whether the role must enrol TOTP.
func (a Account) SecondFactorRequired() bool {
	return a.Role == actor.Secretariat || a.Role == actor.StateAdmin
}

// NeedsSecondFactor reports whether sign-in must pass TOTP: required roles
// always, other accounts once they enrolled of their own accord.
func (a Account) NeedsSecondFactor() bool {
	return a.SecondFactorRequired() || a.TOTPEnabled || a.TOTPReenrol
}

// Actor is the account as a caller of services.
func (a Account) Actor() actor.Actor {
	return actor.Actor{AccountID: a.ID, Email: a.Email, Role: a.Role, State: a.State}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// NewAccount is the input for CreateAccount.
type NewAccount struct {
	Email       string
	DisplayName string
	Role        actor.Role
	State       string
	Password    string // empty: a random one is generated and returned
	// Repeat is the password typed a second time, where a form asks
	// twice; nil where nobody typed it (the API, the command line).
	Repeat *string
}

// minPassword follows NIST SP 800-63B: length over composition rules.
const minPassword = 12

func (s *Service) validateNew(ctx context.Context, q store.Queryer, in *NewAccount) error {
	var f errs.Fields
	email, msg := normaliseEmail(in.Email)
	if msg != "" {
		f.Add("email", msg)
	}
	in.Email = email
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	switch n := len([]rune(in.DisplayName)); {
	case n == 0:
		f.Add("display_name", "enter the name to show for this account")
	case n > 120:
		f.Add("display_name", "use at most 120 characters")
	}
	if !in.Role.Valid() {
		f.Add("role", "choose one of secretariat, state_admin, poc or viewer")
	}
	in.State = strings.ToUpper(strings.TrimSpace(in.State))
	if in.Role == actor.Secretariat {
		if in.State != "" {
			f.Add("state", "secretariat accounts belong to no State")
		}
	} else if in.Role.Valid() {
		if in.State == "" {
			f.Add("state", "choose the State this account belongs to")
		} else if _, ok := states.ByCode(in.State); !ok || in.State != strings.ToUpper(in.State) {
			// The States are reference data compiled in; the directory's
			// table of them is its own.
			f.Add("state", "unknown State code")
		}
	}
	if in.Password != "" {
		if msg := passwordProblem(in.Password); msg != "" {
			f.Add("password", msg)
		}
	}
	if in.Repeat != nil && *in.Repeat != in.Password {
		f.Add("password2", "the two passwords differ; type the same one twice")
	}
	return f.Err()
}

func passwordProblem(pw string) string {
	switch n := len([]rune(pw)); {
	case n < minPassword:
		return fmt.Sprintf("use at least %d characters", minPassword)
	case len(pw) > 1024:
		return "use at most 1024 bytes"
	}
	return ""
}

// canManage reports whether a may create or change accounts of role in state.
func canManage(a actor.Actor, role actor.Role, state string) bool {
	switch {
	case a.IsSecretariat():
		return true
	case a.Role == actor.StateAdmin && !a.ReadOnly:
		return state == a.State && role != actor.Secretariat
	}
	return false
}

// CreateAccount adds an account. The secretariat may create any account; a
// State admin only accounts of its own State. It returns the initial
// password when one was generated, to be handed over once.
func (s *Service) CreateAccount(ctx context.Context, a actor.Actor, in NewAccount) (Account, string, error) {
	if err := a.RequireWrite(); err != nil {
		return Account{}, "", err
	}
	if err := s.validateNew(ctx, s.db.R, &in); err != nil {
		return Account{}, "", err
	}
	if !canManage(a, in.Role, in.State) {
		return Account{}, "", errs.E(errs.Forbidden, "you may only create accounts for your own State")
	}
	generated := ""
	if in.Password == "" {
		generated = randomToken(15)
		in.Password = generated
	}
	hash, err := s.cfg.Argon2.HashPassword(in.Password)
	if err != nil {
		return Account{}, "", errs.Internalf(err, "hash password")
	}
	now := s.clock.Now()
	acc := Account{ID: newID(), Email: in.Email, DisplayName: in.DisplayName, Role: in.Role, State: in.State, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error { return s.insertAccount(ctx, tx, a, acc, hash) })
	if err != nil {
		return Account{}, "", err
	}
	return acc, generated, nil
}

func (s *Service) insertAccount(ctx context.Context, tx *sql.Tx, a actor.Actor, acc Account, hash string) error {
	err := insertAccountRow(ctx, tx, acc, hash)
	if store.IsUnique(err) {
		return &errs.Error{Code: errs.Conflict, Message: "an account with this email already exists", Fields: map[string]string{"email": "an account with this email already exists"}}
	}
	if err != nil {
		return errs.Internalf(err, "insert account")
	}
	return s.audit.Append(ctx, tx, a, audit.Change{Action: "account.create", ObjectType: "account", ObjectID: acc.ID, State: acc.State,
		Details: map[string]string{"email": acc.Email, "role": string(acc.Role), "display_name": acc.DisplayName}})
}

// System is the part of access that the application itself uses, at start
// and on a timer: it takes no actor and checks no permission. The web and
// API servers are given the Service alone.
type System struct{ s *Service }

// NewSystem returns the system side of s.
func NewSystem(s *Service) *System { return &System{s: s} }

// Holder is what another domain may know of an account for its own rules
// (who may be named on a message, who may answer for a POC).
type Holder struct {
	State    string // "" for the secretariat
	Role     actor.Role
	Disabled bool
}

// Holder reads the account id, inside the caller's transaction when q is
// one. An unknown id is not found.
func (y *System) Holder(ctx context.Context, q store.Queryer, id string) (Holder, error) {
	h, err := selectHolder(ctx, q, id)
	if store.NoRows(err) {
		return Holder{}, errs.E(errs.NotFound, "no such account")
	}
	if err != nil {
		return Holder{}, errs.Internalf(err, "load account")
	}
	return h, nil
}

// FirstAdmin creates a secretariat account with a generated password when
// there is no account at all, so a new installation can be signed into. It
// is safe for several instances starting at once on one empty database:
// the check and the insert run in one transaction that instances take in
// turn (an advisory lock on PostgreSQL, SQLite's single writer), so one
// creates the account and the others see it. created is false, and the
// password empty, when an account existed.
func (y *System) FirstAdmin(ctx context.Context, email string) (acc Account, password string, created bool, err error) {
	s := y.s
	in := NewAccount{Email: email, DisplayName: "Directory administrator", Role: actor.Secretariat}
	if err := s.validateNew(ctx, s.db.R, &in); err != nil {
		return Account{}, "", false, err
	}
	// Every start asks; once there are accounts, a cheap read answers,
	// not the password hash below (seconds of argon2id on a busy machine).
	if any, err := anyAccount(ctx, s.db.R); err != nil {
		return Account{}, "", false, errs.Internalf(err, "count accounts")
	} else if any {
		return Account{}, "", false, nil
	}
	password = randomToken(15)
	hash, err := s.cfg.Argon2.HashPassword(password)
	if err != nil {
		return Account{}, "", false, errs.Internalf(err, "hash password")
	}
	now := s.clock.Now()
	acc = Account{ID: newID(), Email: in.Email, DisplayName: in.DisplayName, Role: in.Role, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := lockAccounts(ctx, tx, s.db.Engine); err != nil {
			return errs.Internalf(err, "lock accounts")
		}
		n, err := countAccounts(ctx, tx)
		if err != nil {
			return errs.Internalf(err, "count accounts")
		}
		if n > 0 {
			return nil
		}
		created = true
		return s.insertAccount(ctx, tx, actor.Operator, acc, hash)
	})
	if err != nil || !created {
		return Account{}, "", false, err
	}
	return acc, password, true, nil
}

// Account returns one account if a may see it.
func (s *Service) Account(ctx context.Context, a actor.Actor, id string) (Account, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Account{}, err
	}
	acc, err := selectAccount(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Account{}, errs.E(errs.NotFound, "no such account")
	}
	if err != nil {
		return Account{}, errs.Internalf(err, "get account")
	}
	// Another State's accounts are reported as missing, not forbidden, so
	// their existence does not leak.
	if acc.ID != a.AccountID && !a.IsSecretariat() && !(a.Role == actor.StateAdmin && acc.State == a.State) {
		return Account{}, errs.E(errs.NotFound, "no such account")
	}
	return acc, nil
}

// AccountByEmail finds an account by its address, for those who may see it
// (as Account decides).
func (s *Service) AccountByEmail(ctx context.Context, a actor.Actor, email string) (Account, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Account{}, err
	}
	id, err := accountIDByEmail(ctx, s.db.R, strings.ToLower(strings.TrimSpace(email)))
	if store.NoRows(err) {
		return Account{}, errs.E(errs.NotFound, "no such account")
	}
	if err != nil {
		return Account{}, errs.Internalf(err, "find account")
	}
	return s.Account(ctx, a, id)
}

// Accounts lists the accounts a may manage: all for the secretariat, its own
// State's for a State admin.
func (s *Service) Accounts(ctx context.Context, a actor.Actor) ([]Account, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	var out []Account
	var err error
	switch {
	case a.IsSecretariat():
		out, err = allAccounts(ctx, s.db.R)
	case a.Role == actor.StateAdmin:
		out, err = stateAccounts(ctx, s.db.R, a.State)
	default:
		return nil, errs.E(errs.Forbidden, "only administrators may list accounts")
	}
	if err != nil {
		return nil, errs.Internalf(err, "list accounts")
	}
	return out, nil
}

// SetDisabled disables or re-enables an account. Disabling ends its
// sessions and revokes its API tokens for good: enabling it again brings
// none of them back, so whoever held them must not regain access with it.
func (s *Service) SetDisabled(ctx context.Context, a actor.Actor, id string, disabled bool) error {
	if err := a.RequireWrite(); err != nil {
		return err
	}
	acc, err := s.Account(ctx, a, id)
	if err != nil {
		return err
	}
	if !canManage(a, acc.Role, acc.State) {
		return errs.E(errs.Forbidden, "you may not change this account")
	}
	// Conflict, not Invalid: nothing in the input is wrong, the account's
	// state (being the caller's own) forbids it.
	if acc.ID == a.AccountID {
		return errs.E(errs.Conflict, "you cannot disable your own account; ask another administrator")
	}
	now := s.clock.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var at any
		action := "account.enable"
		if disabled {
			at, action = now, "account.disable"
			if _, err := endSessions(ctx, s.db, tx, id); err != nil {
				return errs.Internalf(err, "end sessions")
			}
			if _, err := revokeTokens(ctx, s.db, tx, id, now); err != nil {
				return errs.Internalf(err, "revoke tokens")
			}
		}
		if err := setDisabledAt(ctx, s.db, tx, id, at, now); err != nil {
			return errs.Internalf(err, "update account")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: action, ObjectType: "account", ObjectID: id, State: acc.State})
	})
}

// ChangePassword replaces the caller's password after checking the current
// one; the new one is typed twice.
func (s *Service) ChangePassword(ctx context.Context, a actor.Actor, current, next, repeat string) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	hash, err := passwordHash(ctx, s.db.R, a.AccountID)
	if err != nil {
		return errs.Internalf(err, "load account")
	}
	var f errs.Fields
	if ok, _ := CheckPassword(hash, current); !ok {
		f.Add("current_password", "this is not your current password")
	}
	if msg := passwordProblem(next); msg != "" {
		f.Add("new_password", msg)
	} else if next != repeat {
		f.Add("new_password2", "the two passwords differ; type the same one twice")
	}
	if err := f.Err(); err != nil {
		return err
	}
	newHash, err := s.cfg.Argon2.HashPassword(next)
	if err != nil {
		return errs.Internalf(err, "hash password")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := setPassword(ctx, s.db, tx, a.AccountID, newHash, s.clock.Now()); err != nil {
			return errs.Internalf(err, "update password")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "account.password", ObjectType: "account", ObjectID: a.AccountID, State: a.State})
	})
}

// SetLanguage records the language the caller chose for the pages: one of
// the six codes i18n knows ("fr"), or "" to follow the browser again.
func (s *Service) SetLanguage(ctx context.Context, a actor.Actor, lang string) error {
	if err := a.RequireSignedIn(); err != nil {
		return err
	}
	code := ""
	if strings.TrimSpace(lang) != "" {
		l, ok := i18n.ParseLanguage(lang)
		if !ok {
			var f errs.Fields
			f.Add("language", "choose one of the languages offered")
			return f.Err()
		}
		code = l.Code()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := setLanguage(ctx, s.db, tx, a.AccountID, code, s.clock.Now()); err != nil {
			return errs.Internalf(err, "update language")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "account.language", ObjectType: "account", ObjectID: a.AccountID, State: a.State,
			Details: map[string]any{"language": code}})
	})
}

func normaliseEmail(s string) (string, string) {
	e, problem := validate.Email(s)
	return strings.ToLower(e), problem
}
