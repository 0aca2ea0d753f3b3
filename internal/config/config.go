// Package config reads the server's settings once, from flags and DETENTE_*
// environment variables (a flag wins over the environment, which wins over
// the default), into a plain struct that is passed down explicitly.
package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is every setting of a detente process.
type Config struct {
	Addr            string        // listen address
	BaseURL         string        // how users reach this server; used in links and mail
	DataDir         string        // where the SQLite file and stored files live
	Database        string        // postgres:// URL, or a SQLite path; default DataDir/detente.db
	LogLevel        slog.Level    //
	LogFormat       string        // text | json
	StaleAfter      time.Duration // POC entries unconfirmed this long are stale
	SessionTTL      time.Duration
	SessionIdle     time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	// RenderCacheBytes bounds the memory that keeps rendered directory and
	// catalogue pages and API answers, per interface (web, API).
	RenderCacheBytes int64
	SecureCookies    bool // set Secure on cookies; true unless BaseURL is plain http to loopback

	// SigninHelp tells people on the sign-in page whom to ask when they
	// cannot get in, e.g. "Write to the secretariat at …".
	SigninHelp string

	// TrustedProxies are the reverse proxies whose ForwardedHeader is
	// believed: the client is the right-most address in it that is not
	// one of them. Without any, the peer address is the client.
	TrustedProxies  []netip.Prefix
	ForwardedHeader string // X-Forwarded-For | Forwarded

	// MetricsAddr, when set, serves /metrics on a listener of its own,
	// without authentication, and not on Addr; otherwise /metrics on Addr
	// needs an API token with the metrics scope.
	MetricsAddr string

	// Files attached to communications. They are kept in the database
	// with their message; a form carrying them may be this much larger
	// than MaxBodyBytes.
	AttachmentMaxFile  int64 // bytes of one file
	AttachmentMaxTotal int64 // bytes of the files of one message together
	AttachmentMaxCount int   // files per message

	// Outgoing mail. With no SMTP host, notifications are logged and
	// dropped: the in-app inbox still works.
	MailFrom     string
	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPTLS      string // required | opportunistic | none

	// Webhooks. WebhookKey (32 bytes) encrypts the signing secrets at rest
	// with AES-256-GCM; without it they are stored as they are.
	// WebhookAllowPrivate lets webhooks reach loopback and private
	// addresses and plain http: for tests and development only.
	WebhookKey          []byte
	WebhookAllowPrivate bool

	// AuditKey signs checkpoints of the audit chain's head (Ed25519), so
	// that `detente audit verify` notices entries deleted from its end;
	// nil writes no checkpoints.
	AuditKey ed25519.PrivateKey

	// Deadlines by urgency (routine, priority, urgent): how long a
	// recipient State has to acknowledge a communication and to respond to
	// a request.
	Deadlines map[string]Deadline
}

// Deadline is the acknowledgement and response windows of one urgency.
type Deadline struct {
	Acknowledge time.Duration
	Respond     time.Duration
}

// defaultDeadlines follows common CERT practice: an urgent request is
// acknowledged within two hours and answered within a day.
func defaultDeadlines() map[string]Deadline {
	return map[string]Deadline{
		"urgent":   {Acknowledge: 2 * time.Hour, Respond: 24 * time.Hour},
		"priority": {Acknowledge: 24 * time.Hour, Respond: 72 * time.Hour},
		"routine":  {Acknowledge: 72 * time.Hour, Respond: 14 * 24 * time.Hour},
	}
}

// parseDeadlines reads "urgency=ack/respond" entries separated by commas
// over the given ones; urgencies not named keep their windows.
func parseDeadlines(v string, into map[string]Deadline) error {
	for _, entry := range strings.Split(v, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		urgency, windows, ok := strings.Cut(entry, "=")
		ack, respond, ok2 := strings.Cut(windows, "/")
		if !ok || !ok2 {
			return fmt.Errorf("%q: write urgency=acknowledge/respond, e.g. urgent=2h/24h", entry)
		}
		urgency = strings.TrimSpace(urgency)
		if urgency != "routine" && urgency != "priority" && urgency != "urgent" {
			return fmt.Errorf("%q: the urgencies are routine, priority and urgent", urgency)
		}
		a, err1 := time.ParseDuration(strings.TrimSpace(ack))
		r, err2 := time.ParseDuration(strings.TrimSpace(respond))
		if err1 != nil || err2 != nil || a <= 0 || r < a {
			return fmt.Errorf("%q: give two positive durations, the response window no shorter than the acknowledgement's", entry)
		}
		into[urgency] = Deadline{Acknowledge: a, Respond: r}
	}
	return nil
}

// Defaults returns the configuration a bare `detente serve` uses.
func Defaults() Config {
	c := Config{
		Addr:             "127.0.0.1:8080",
		BaseURL:          "",
		DataDir:          "data",
		LogLevel:         slog.LevelInfo,
		LogFormat:        "text",
		StaleAfter:       365 * 24 * time.Hour,
		SessionTTL:       12 * time.Hour,
		SessionIdle:      time.Hour,
		ShutdownTimeout:  15 * time.Second,
		MaxBodyBytes:     1 << 20,
		RenderCacheBytes: 16 << 20,
		SMTPPort:         587,
		SMTPTLS:          "required",
		ForwardedHeader:  "X-Forwarded-For",
		SigninHelp:       "If you cannot sign in, ask your State's administrator or the secretariat to reset your account.",

		AttachmentMaxFile:  10 << 20,
		AttachmentMaxTotal: 25 << 20,
		AttachmentMaxCount: 10,
	}
	c.Deadlines = defaultDeadlines()
	return c
}

// Parse reads args (without the program and subcommand names) and env.
func Parse(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := Bind(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return b.Resolve(getenv)
}

// Binder holds the flags Bind registered until Resolve reads them.
type Binder struct {
	fs                              *flag.FlagSet
	c                               Config
	level, stale, ttl, idle, shutdn string
	webhookKey                      string
	auditKey                        string
	deadlines                       string
	proxies                         string
	// own names the flags Bind registered, as against a command's own
	// flags on the same set: only these take their value from DETENTE_*.
	own map[string]bool
}

// Bind registers the server settings on fs, so a command can add flags of
// its own beside them.
func Bind(fs *flag.FlagSet) *Binder {
	b := &Binder{fs: fs, c: Defaults(), own: map[string]bool{}}
	before := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
	defer fs.VisitAll(func(f *flag.Flag) {
		if !before[f.Name] {
			b.own[f.Name] = true
		}
	})
	c := &b.c
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (DETENTE_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL of this server (DETENTE_BASE_URL); default http://ADDR")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (DETENTE_DATA_DIR)")
	fs.StringVar(&c.Database, "database", c.Database, "postgres:// URL or SQLite file (DETENTE_DATABASE); default DATA/detente.db")
	fs.StringVar(&b.level, "log-level", "info", "debug, info, warn or error (DETENTE_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (DETENTE_LOG_FORMAT)")
	fs.StringVar(&b.stale, "stale-after", c.StaleAfter.String(), "flag POCs unconfirmed this long (DETENTE_STALE_AFTER)")
	fs.StringVar(&b.ttl, "session-ttl", c.SessionTTL.String(), "longest session (DETENTE_SESSION_TTL)")
	fs.StringVar(&b.idle, "session-idle", c.SessionIdle.String(), "idle time that ends a session (DETENTE_SESSION_IDLE)")
	fs.StringVar(&b.shutdn, "shutdown-timeout", c.ShutdownTimeout.String(), "time allowed for requests to finish on shutdown (DETENTE_SHUTDOWN_TIMEOUT)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body", c.MaxBodyBytes, "largest accepted request body in bytes (DETENTE_MAX_BODY)")
	fs.Int64Var(&c.RenderCacheBytes, "render-cache", c.RenderCacheBytes, "bytes each of the web and API interfaces keeps of rendered directory and catalogue answers; 0 keeps none (DETENTE_RENDER_CACHE)")
	fs.Int64Var(&c.AttachmentMaxFile, "attachment-max-file", c.AttachmentMaxFile, "largest file attached to a communication, in bytes (DETENTE_ATTACHMENT_MAX_FILE)")
	fs.Int64Var(&c.AttachmentMaxTotal, "attachment-max-total", c.AttachmentMaxTotal, "largest total of the files of one communication, in bytes (DETENTE_ATTACHMENT_MAX_TOTAL)")
	fs.IntVar(&c.AttachmentMaxCount, "attachment-max-count", c.AttachmentMaxCount, "most files attached to one communication (DETENTE_ATTACHMENT_MAX_COUNT)")
	fs.StringVar(&c.MailFrom, "mail-from", c.MailFrom, "sender address of notifications (DETENTE_MAIL_FROM); default detente@HOST of the base URL")
	fs.StringVar(&c.SMTPHost, "smtp-host", c.SMTPHost, "SMTP relay host; empty disables mail (DETENTE_SMTP_HOST)")
	fs.IntVar(&c.SMTPPort, "smtp-port", c.SMTPPort, "SMTP relay port (DETENTE_SMTP_PORT)")
	fs.StringVar(&c.SMTPUsername, "smtp-username", c.SMTPUsername, "SMTP user name (DETENTE_SMTP_USERNAME)")
	fs.StringVar(&c.SMTPPassword, "smtp-password", c.SMTPPassword, "SMTP password; prefer the variable DETENTE_SMTP_PASSWORD")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", c.SMTPTLS, "required, opportunistic or none (DETENTE_SMTP_TLS)")
	fs.StringVar(&b.webhookKey, "webhook-key", "", "64 hex digits (32 bytes) encrypting webhook secrets at rest; prefer the variable DETENTE_WEBHOOK_KEY")
	fs.StringVar(&b.auditKey, "audit-key", "", "base64 Ed25519 seed (32 bytes) signing audit checkpoints, from `detente audit keygen`; prefer the variable DETENTE_AUDIT_KEY")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", false, "let webhooks reach private and loopback addresses and plain http; development only (DETENTE_WEBHOOK_ALLOW_PRIVATE)")
	fs.StringVar(&c.SigninHelp, "signin-help", c.SigninHelp, "text on the sign-in page saying whom to ask when one cannot sign in (DETENTE_SIGNIN_HELP)")
	fs.StringVar(&b.proxies, "trusted-proxies", "", "comma-separated addresses or CIDR ranges of reverse proxies whose forwarded-for header is believed (DETENTE_TRUSTED_PROXIES)")
	fs.StringVar(&c.ForwardedHeader, "forwarded-header", c.ForwardedHeader, "the header the trusted proxies set: X-Forwarded-For or Forwarded (DETENTE_FORWARDED_HEADER)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "serve /metrics without a token on this separate listen address, e.g. 127.0.0.1:9090 (DETENTE_METRICS_ADDR)")
	fs.StringVar(&b.deadlines, "deadlines", "", "acknowledge/respond windows of the urgencies to change, e.g. urgent=1h/12h,routine=96h/336h; defaults urgent=2h/24h, priority=24h/72h, routine=72h/336h (DETENTE_DEADLINES)")
	return b
}

// envNames maps flags to their environment variables where the plain rule
// (DETENTE_ + upper-case flag name) does not give the documented one.
var envNames = map[string]string{"data": "DETENTE_DATA_DIR"}

// Resolve applies the environment to every server flag not given on the
// command line, checks the result and returns it.
func (b *Binder) Resolve(getenv func(string) string) (Config, error) {
	set := map[string]bool{}
	b.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var problems []error
	b.fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || !b.own[f.Name] {
			return
		}
		env := "DETENTE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if n, ok := envNames[f.Name]; ok {
			env = n
		}
		if v := getenv(env); v != "" {
			if err := f.Value.Set(v); err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", env, err))
			}
		}
	})
	c := b.c
	if err := c.LogLevel.UnmarshalText([]byte(b.level)); err != nil {
		problems = append(problems, fmt.Errorf("log level %q: use debug, info, warn or error", b.level))
	}
	dur := func(name, v string, dst *time.Duration) {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			problems = append(problems, fmt.Errorf("%s %q: use a positive duration like 8760h or 30m", name, v))
			return
		}
		*dst = d
	}
	dur("stale-after", b.stale, &c.StaleAfter)
	dur("session-ttl", b.ttl, &c.SessionTTL)
	dur("session-idle", b.idle, &c.SessionIdle)
	dur("shutdown-timeout", b.shutdn, &c.ShutdownTimeout)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Errorf("log format %q: use text or json", c.LogFormat))
	}
	switch c.SMTPTLS {
	case "required", "opportunistic", "none":
	default:
		problems = append(problems, fmt.Errorf("smtp-tls %q: use required, opportunistic or none", c.SMTPTLS))
	}
	if c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		problems = append(problems, fmt.Errorf("smtp-port %d: use a TCP port", c.SMTPPort))
	}
	if b.webhookKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(b.webhookKey))
		if err != nil || len(k) != 32 {
			problems = append(problems, errors.New("webhook-key: use 64 hex digits (32 random bytes), e.g. from: openssl rand -hex 32"))
		} else {
			c.WebhookKey = k
		}
	}
	if b.auditKey != "" {
		seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b.auditKey))
		if err != nil || len(seed) != ed25519.SeedSize {
			problems = append(problems, errors.New("audit-key: use the base64 seed `detente audit keygen` prints (32 bytes)"))
		} else {
			c.AuditKey = ed25519.NewKeyFromSeed(seed)
		}
	}
	proxies, err := ParsePrefixes(b.proxies)
	if err != nil {
		problems = append(problems, fmt.Errorf("trusted-proxies: %w", err))
	}
	c.TrustedProxies = proxies
	switch strings.ToLower(c.ForwardedHeader) {
	case "x-forwarded-for":
		c.ForwardedHeader = "X-Forwarded-For"
	case "forwarded":
		c.ForwardedHeader = "Forwarded"
	default:
		problems = append(problems, fmt.Errorf("forwarded-header %q: use X-Forwarded-For or Forwarded", c.ForwardedHeader))
	}
	c.SigninHelp = strings.TrimSpace(c.SigninHelp)
	if len(c.SigninHelp) > 500 || !utf8.ValidString(c.SigninHelp) {
		problems = append(problems, errors.New("signin-help: use at most 500 bytes of text"))
	}
	c.Deadlines = maps.Clone(c.Deadlines)
	if err := parseDeadlines(b.deadlines, c.Deadlines); err != nil {
		problems = append(problems, fmt.Errorf("deadlines: %w", err))
	}
	if c.RenderCacheBytes < 0 || c.RenderCacheBytes > 1<<30 {
		problems = append(problems, errors.New("render-cache: use 0 to 1073741824 bytes"))
	}
	if c.MaxBodyBytes < 4096 {
		problems = append(problems, errors.New("max-body: allow at least 4096 bytes"))
	}
	switch {
	case c.AttachmentMaxFile < 1:
		problems = append(problems, errors.New("attachment-max-file: allow at least 1 byte"))
	case c.AttachmentMaxTotal < c.AttachmentMaxFile:
		problems = append(problems, errors.New("attachment-max-total: allow at least attachment-max-file"))
	case c.AttachmentMaxTotal > 256<<20:
		problems = append(problems, errors.New("attachment-max-total: allow at most 268435456 bytes (256 MiB); files are kept in the database"))
	}
	if c.AttachmentMaxCount < 1 || c.AttachmentMaxCount > 100 {
		problems = append(problems, errors.New("attachment-max-count: allow between 1 and 100 files"))
	}
	if err := c.finish(); err != nil {
		problems = append(problems, err)
	}
	return c, errors.Join(problems...)
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR
// ranges; a bare address stands for itself alone.
func ParsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q: give an address or a CIDR range, e.g. 10.0.0.0/8 or 2001:db8::1", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// finish fills settings derived from others.
func (c *Config) finish() error {
	if c.Database == "" {
		c.Database = filepath.Join(c.DataDir, "detente.db")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base URL %q: use an absolute http(s) URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	c.SecureCookies = u.Scheme == "https"
	if c.MailFrom == "" {
		c.MailFrom = "detente@" + u.Hostname()
	}
	return nil
}

// Logger builds the process logger from the settings.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
