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
	h, err := server.Handler(a, opt)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
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
// once, to the operator's terminal.
func firstRun(ctx context.Context, a *app.App, getenv func(string) string, out io.Writer) error {
	accs, err := a.Access.Accounts(ctx, actor.Operator)
	if err != nil || len(accs) > 0 {
		return err
	}
	email := getenv("DETENTE_ADMIN_EMAIL")
	if email == "" {
		email = "admin@detente.invalid"
	}
	acc, pw, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: "Directory administrator", Role: actor.Secretariat})
	if err != nil {
		return fmt.Errorf("first administrator: %w", err)
	}
	fmt.Fprintf(out, "\nFirst run: created the secretariat administrator\n  email:    %s\n  password: %s\nSign in, set up the second factor, and change the password.\n\n", acc.Email, pw)
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
