# A private apt configuration, so downloads of other suites and architectures never touch the
# system's apt set-up (sourced, not executed; ../shared/corpus/REGENERATE.md shows the same by hand).
#
#   private_apt_config <dir> <arch>... <<EOF
#   deb [...] http://deb.debian.org/debian <suite> main
#   EOF
#
# writes <dir>/sources.list from stdin and <dir>/apt.conf for those architectures (the first is
# apt's own); use it with APT_CONFIG=<dir>/apt.conf.
private_apt_config() {
  local dir=$1 arches="" a
  shift
  for a in "$@"; do arches+="\"$a\"; "; done
  mkdir -p "$dir/sourceparts" "$dir/prefs" "$dir/lists/partial" "$dir/cache/archives/partial"
  cat > "$dir/sources.list"
  cat > "$dir/apt.conf" <<CONF
Dir::Etc::sourcelist "$dir/sources.list";
Dir::Etc::sourceparts "$dir/sourceparts";
Dir::Etc::preferencesparts "$dir/prefs";
Dir::State::Lists "$dir/lists";
Dir::Cache "$dir/cache";
APT::Architecture "$1";
APT::Architectures { ${arches% } };
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
Acquire::Languages "none";
CONF
}
