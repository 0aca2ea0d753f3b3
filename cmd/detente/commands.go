package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/web"
)

func open(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer) (*app.App, error) {
	cfg, err := config.Parse(name, args, getenv, stderr)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, cfg.Logger(stderr), app.Options{})
}

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := open(ctx, "serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := firstRun(ctx, a, getenv, stderr); err != nil {
		return err
	}
	return serve(ctx, a, web.Options{}, nil)
}

// serve listens on the configured address and runs until ctx ends. ready,
// if set, is told the address once the listener is open.
func serve(ctx context.Context, a *app.App, opt web.Options, ready func(addr string)) error {
	h, mh, err := server.Handlers(a, opt)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	if mh != nil {
		mln, err := net.Listen("tcp", a.Config.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		a.Log.Info("metrics listening", "addr", mln.Addr().String())
		go func() {
			if err := server.Run(ctx, a.Log, mln, mh, a.Config.ShutdownTimeout); err != nil {
				a.Log.Error("metrics listener", "err", err)
			}
		}()
	}
	wctx, stopWorkers := context.WithCancel(ctx)
	workers := make(chan struct{})
	go func() { a.RunWorkers(wctx); close(workers) }()
	// In-flight jobs finish before the database closes.
	defer func() { stopWorkers(); <-workers }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL, "engine", a.DB.Engine)
	if ready != nil {
		ready(ln.Addr().String())
	}
	return server.Run(ctx, a.Log, ln, h, a.Config.ShutdownTimeout)
}

// firstRun creates a secretariat administrator when there is no account at
// all, so a new installation can be signed into. The password is printed
// once, to the operator's terminal. Instances starting together on one
// empty database create one administrator between them.
func firstRun(ctx context.Context, a *app.App, getenv func(string) string, out io.Writer) error {
	email := getenv("DETENTE_ADMIN_EMAIL")
	if email == "" {
		email = "admin@detente.invalid"
	}
	acc, pw, created, err := a.Sys.Access.FirstAdmin(ctx, email)
	if err != nil {
		return fmt.Errorf("first administrator: %w", err)
	}
	if created {
		fmt.Fprintf(out, "\nFirst run: created the secretariat administrator\n  email:    %s\n  password: %s\nSign in, set up the second factor, and change the password.\n\n", acc.Email, pw)
	}
	return nil
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := open(ctx, "migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "database (%s) is up to date\n", a.DB.Engine)
	return nil
}

func cmdCreateUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "secretariat", "secretariat, state_admin, poc or viewer")
	state := fs.String("state", "", "ISO 3166-1 alpha-2 code of the account's State (not for secretariat)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	srv := config.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := srv.Resolve(getenv)
	if err != nil {
		return err
	}
	pw := ""
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	a, err := app.Open(ctx, cfg, cfg.Logger(stderr), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	acc, generated, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: *email, DisplayName: *name, Role: actor.Role(*role), State: *state, Password: pw})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created %s (%s%s)\n", acc.Email, acc.Role.Label(), map[bool]string{true: " of " + acc.State, false: ""}[acc.State != ""])
	if generated != "" {
		fmt.Fprintf(stdout, "initial password: %s\n", generated)
	}
	return nil
}

// cmdResetUser does from the console what an administrator's reset button
// does: it ends the account's sessions and API tokens, clears its password
// and second factor, and mails a one-time link to choose a new password,
// or prints the link when no mail relay is configured.
func cmdResetUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin reset-user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "email address of the account (required)")
	srv := config.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("usage: detente admin reset-user -email ADDRESS")
	}
	cfg, err := srv.Resolve(getenv)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, cfg.Logger(stderr), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	acc, err := a.Access.AccountByEmail(ctx, actor.Operator, *email)
	if err != nil {
		return describe(err)
	}
	res, err := a.Access.ResetAccount(ctx, actor.Operator, acc.ID)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "reset %s: sessions and API tokens ended, password and second factor cleared\n", res.Account.Email)
	if res.Mailed {
		fmt.Fprintf(stdout, "a one-time link was queued for mail to %s; it works until %s\n", res.Account.Email, res.ExpiresAt.UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintf(stdout, "no mail relay is configured: hand this one-time link over by a separate channel (it works until %s):\n%s\n", res.ExpiresAt.UTC().Format(time.RFC3339), res.Link)
	}
	return nil
}

// describe turns a service error into a line per problem for the terminal.
func describe(err error) error {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return errors.New(errs.MessageOf(err))
	}
	var b strings.Builder
	b.WriteString(errs.MessageOf(err))
	for k, v := range fields {
		fmt.Fprintf(&b, "\n  -%s: %s", k, v)
	}
	return errors.New(b.String())
}

func cmdTOTPCode(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: detente totp-code SECRET")
	}
	code, err := access.TOTPCode(args[0], time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, code)
	return nil
}
