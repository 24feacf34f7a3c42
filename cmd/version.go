package cmd

// Version of m365beat, set at release time with
// -ldflags "-X github.com/m365beat/m365beat/cmd.Version=...".
var Version = "0.1.0"
