# jq equivalent of the two bundled rules, for the benchmark's baseline (bench/run.mjs).
# Prints "R1" for every event matching "Creation of Kernel Module" and "R2" for every event matching
# the query of "Enumeration of Kernel Modules via Proc". jq keeps no state across lines, so R2's
# new_terms step (first sighting of process.executable in 5 days) is NOT applied: the R2 count is the
# number of query matches (`query_matches` in the dataset's .expected.json), not alerts.
#
# Field access follows SPEC §C like lkm-scan must: dotted keys at any level and every split of a path
# (`{"process.name":x}`, `{"host.os":{"type":x}}`), arrays of values and arrays of objects, null and
# objects as "no value"; numbers and booleans compare by their JSON text.

def text: if type == "string" then . elif type == "number" or type == "boolean" then tojson else empty end;
def leaves: if type == "array" then .[] | leaves elif type == "object" or . == null then empty else text end;
# All values of the field whose path segments are $s.
def fv($s):
  if type == "array" then .[] | fv($s)
  elif type == "object" then
    . as $o
    | range(1; ($s | length) + 1) as $i
    | ($s[0:$i] | join(".")) as $k
    | select($o | has($k))
    | $o[$k]
    | if $i == ($s | length) then leaves else fv($s[$i:]) end
  else empty end;
def some($s; f): any(fv($s); f);

# EQL: `==` and `in` exact; `:` ASCII case-insensitive, anchored; `not` is true on a missing field.
def r1:
  some(["file", "extension"]; . == "ko")
  and some(["file", "path"]; ascii_downcase | startswith("/lib/modules/"))
  and some(["event", "category"]; . == "file")
  and some(["host", "os", "type"]; . == "linux")
  and some(["event", "type"]; . == "change" or . == "creation")
  and (some(["process", "name"]; ascii_downcase
        | . == "dpkg" or . == "systemd" or startswith("falcon-sensor") or . == "dnf" or . == "yum"
          or . == "rpm" or . == "cp") | not);

# KQL: case-sensitive; `*` is any run of characters ("/opt/eset/*/esets_eia" needs both slashes).
def r2:
  some(["file", "path"]; . == "/proc/modules")
  and some(["event", "action"]; . == "opened-file")
  and some(["event", "category"]; . == "file")
  and some(["host", "os", "type"]; . == "linux")
  and ((some(["process", "name"]; startswith("python") or . == "chef-client")
        or some(["process", "executable"];
             (startswith("/opt/eset/") and endswith("/esets_eia") and length >= 20)
             or startswith("/opt/Elastic/Agent/")
             or . == "/opt/jfrog/artifactory/app/metadata/bin/jf-metadata")) | not);

(if r1 then "R1" else empty end), (if r2 then "R2" else empty end)
