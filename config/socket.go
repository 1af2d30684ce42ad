package config

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// SocketOf finds the control socket of the config at path as Load would,
// reading nothing but the [tend] socket key: `tend ctl`, run as a probe
// every few seconds, need not parse and check every program. The key wins;
// without it, a non-empty $TEND_SOCKET (looked up with env); else
// DefaultSocket.
func SocketOf(path string, env func(string) (string, bool)) (string, error) {
	var f struct {
		Tend struct {
			Socket *string `toml:"socket"`
		} `toml:"tend"`
	}
	if _, err := toml.DecodeFile(path, &f); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	if f.Tend.Socket != nil {
		return *f.Tend.Socket, nil
	}
	return Default(env).Socket, nil
}
