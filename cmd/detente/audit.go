package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/config"
)

func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return cmdAuditVerify(ctx, args[1:], getenv, stdout, stderr)
		case "keygen":
			return cmdAuditKeygen(stdout)
		}
	}
	return errors.New("usage: detente audit verify [-expect SEQ:HASH] [-public-key KEY] [flags] | audit keygen")
}

// cmdAuditVerify checks the chain, the signed checkpoints and, if given, a
// head kept outside the database.
func cmdAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	expect := fs.String("expect", "", "SEQ:HASH of an entry recorded outside the database (e.g. from an \"audit checkpoint\" log line); the chain must reach it")
	pubKey := fs.String("public-key", "", "base64 Ed25519 public key the checkpoints are signed with; default: that of -audit-key")
	srv := config.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := srv.Resolve(getenv)
	if err != nil {
		return err
	}
	var opt audit.VerifyOptions
	if *expect != "" {
		h, err := audit.ParseHead(*expect)
		if err != nil {
			return fmt.Errorf("-expect: %w", err)
		}
		opt.Expect = &h
	}
	switch {
	case *pubKey != "":
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(*pubKey))
		if err != nil || len(k) != ed25519.PublicKeySize {
			return errors.New("-public-key: use the base64 public key `detente audit keygen` printed (32 bytes)")
		}
		opt.Key = k
	case cfg.AuditKey != nil:
		opt.Key = cfg.AuditKey.Public().(ed25519.PublicKey)
	}
	a, err := app.Open(ctx, cfg, cfg.Logger(stderr), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Audit.VerifyWith(ctx, opt)
	var broken *audit.Broken
	if errors.As(err, &broken) {
		fmt.Fprintf(stdout, "BROKEN: %s (%d entries before it are intact)\n", broken.Error(), r.Entries)
		return errors.New("audit chain broken")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %d entries, chain intact; head %s\n", r.Entries, r.Head)
	switch {
	case r.Checkpoints == 0:
		fmt.Fprintln(stdout, "no checkpoints: entries deleted from the end would not show; set -audit-key")
	case opt.Key == nil:
		fmt.Fprintf(stdout, "%d checkpoints match the chain; their signatures were not checked (no key given)\n", r.Checkpoints)
	default:
		fmt.Fprintf(stdout, "%d checkpoints match the chain, signatures valid\n", r.Checkpoints)
	}
	if r.Unsealed > 0 {
		fmt.Fprintf(stdout, "%d newer entries are waiting to be sealed\n", r.Unsealed)
	}
	return nil
}

// cmdAuditKeygen prints a new checkpoint signing key: the seed goes in the
// server's configuration, the public key wherever verification happens.
func cmdAuditKeygen(stdout io.Writer) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "DETENTE_AUDIT_KEY=%s\n", base64.StdEncoding.EncodeToString(priv.Seed()))
	fmt.Fprintf(stdout, "public key (for audit verify -public-key): %s\n", base64.StdEncoding.EncodeToString(pub))
	fmt.Fprintf(stdout, "key id: %s\n", audit.KeyID(pub))
	return nil
}
