// Command detente runs the Global Points-of-Contact Directory and its tools.
// This file only wires: it parses the command line, builds the App and hands
// it to the server or the command asked for.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "detente:", err)
		}
		os.Exit(1)
	}
}

const usage = `detente — the Global Points-of-Contact Directory for ICT security

Usage:
  detente serve [flags]              run the server
  detente demo [flags]               run with an embedded database full of fictitious demo data
  detente migrate [flags]            apply database migrations and exit
  detente admin create-user [flags]  create an account (e.g. the first secretariat administrator)
  detente admin reset-user -email …  end an account's sessions and tokens and send a one-time link to choose a new password
  detente audit verify [flags]       check the audit log's hash chain and signed checkpoints (-expect SEQ:HASH)
  detente audit keygen               make a key to sign audit checkpoints (-audit-key)
  detente checks [list|create|report|publish]  run communication checks (ping tests)
  detente templates [list|show|publish]        adapt the standard communication templates
  detente jobs [stats|failed|retry]            look into the outbox of mails, reminders and webhooks
  detente framework [list|search|show|misp]  read the norms, law views and CBMs
  detente incidents [export|import]    incidents as STIX 2.1 bundles (export [-as EMAIL] [-id ID] [-out FILE], import -as EMAIL FILE)
  detente capacity [needs|offers|partnerships]  capacity-building needs, offers and partnerships (CBM 5)
  detente profiles [show|compare|counts]  what States have made known, side by side and counted, never ranked
  detente exercises [list|report]     tabletop exercise runs and their after-action reports (text, CSV, JSON)
  detente scenarios [list|export|import]  exercise scenarios in their documented file format
  detente survey [cycles|open-cycle|reports|export]  the national survey: cycles, and reports as JSON or CSV
  detente library [list|search|add]  the policy library: list, search and share documents (CBMs 7, 8)
  detente totp-code SECRET           print the current second-factor code for a secret (for demos)
  detente version                    print the version

Run "detente COMMAND -h" for a command's flags. Every flag can also be set
with an environment variable, DETENTE_ followed by the flag name in capitals
(e.g. DETENTE_DATABASE=postgres://…).
`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "admin":
		switch {
		case len(rest) > 0 && rest[0] == "create-user":
			return cmdCreateUser(ctx, rest[1:], getenv, stdin, stdout, stderr)
		case len(rest) > 0 && rest[0] == "reset-user":
			return cmdResetUser(ctx, rest[1:], getenv, stdout, stderr)
		}
		return errors.New(`usage: detente admin create-user -email … -name … -role … [-state XX] | reset-user -email …`)
	case "audit":
		return cmdAudit(ctx, rest, getenv, stdout, stderr)
	case "checks":
		return cmdChecks(ctx, rest, getenv, stdout, stderr)
	case "jobs":
		return cmdJobs(ctx, rest, getenv, stdout, stderr)
	case "incidents":
		return cmdIncidents(ctx, rest, getenv, stdout, stderr)
	case "capacity":
		return cmdCapacity(ctx, rest, getenv, stdout, stderr)
	case "profiles":
		return cmdProfiles(ctx, rest, getenv, stdout, stderr)
	case "exercises":
		return cmdExercises(ctx, rest, getenv, stdout, stderr)
	case "scenarios":
		return cmdScenarios(ctx, rest, getenv, stdout, stderr)
	case "survey":
		return cmdSurvey(ctx, rest, getenv, stdout, stderr)
	case "library":
		return cmdLibrary(ctx, rest, getenv, stdout, stderr)
	case "templates":
		return cmdTemplates(ctx, rest, getenv, stdin, stdout, stderr)
	case "framework":
		return cmdFramework(rest, stdout)
	case "totp-code":
		return cmdTOTPCode(rest, stdout)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "detente", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
