# bash completion for ounce(1): commands, each command's options, profile names
# (from `ounce profiles`, else the .ini files of the profiles directory installed
# with this file), recipe names, heap's subcommands, and files and directories
# where an option or operand takes one. Installed as
# DATADIR/bash-completion/completions/ounce; plain bash, no bash-completion helpers.

# the data directory of the installation this file belongs to:
# DATADIR/bash-completion/completions/ounce -> DATADIR/ounce
_ounce_data=${BASH_SOURCE[0]%/*}
[[ ${BASH_SOURCE[0]} == */* ]] || _ounce_data=.
_ounce_data+=/../../ounce

# the names of the .ini files in directory $1, one a line
_ounce_ini_names() {
	local f
	for f in "$1"/*.ini; do
		[[ -e $f ]] || continue
		f=${f##*/}
		printf '%s\n' "${f%.ini}"
	done
}

# the profile names, one a line: what the ounce being completed lists (it reads
# $OUNCE_DATADIR or its installed profiles), else the installed .ini file names
_ounce_profile_names() {
	local names
	names=$("$1" profiles 2> /dev/null | awk 'NR > 1 && /^[^ ]/ { print $1 }')
	if [[ -z $names ]]; then
		names=$(_ounce_ini_names "$_ounce_data/profiles")
	fi
	printf '%s\n' "$names"
}

# the options of command $1 (heap's subcommand $2), the ones taking a value marked
# with a trailing = that is removed for display
_ounce_options() {
	case $1 in
	advise) echo "-h --help" ;;
	cc) echo "--help" ;;
	check)
		echo "-b= --budget= -a= --against= -g= --max-growth= -m= --metric= --artifact= -c= --cell="
		echo "-f= --format= -C= --project= -h --help"
		;;
	diff) echo "-r= --results= -f= --format= -n= -h --help" ;;
	help) echo "--help" ;;
	matrix)
		echo "-j= --jobs= --build-jobs= -p= --profiles= -s= --strategy= --stack= -m= --metric="
		echo "-a= --allow= --artifact= --target-glibc= --toolchain= --distribute= --per-artifact"
		echo "--smoke= --timeout="
		echo "--bench= --bench-repeat= --bench-count= --max-slowdown= --max-rss="
		echo "--recipe= --build= -b= --builds= -w= --workdir= --wait -o= --output= -f= --format="
		echo "--explain --fresh --cache-size= --keep-cells --no-verify --no-sandbox --no-reuse"
		echo "--cache="
		echo "--repeat= --resume -q --quiet -v --verbose -h --help"
		;;
	pick)
		echo "-m= --metric= -a= --allow= --target-glibc= -e= --emit= -b= --build= --verify -h --help"
		echo "--max-slowdown= --max-rss="
		;;
	profile)
		echo "-w= --workdir= --bench= --via= --call-graph= --repeat= --process= --timeout="
		echo "-o= --output="
		echo "-h --help"
		;;
	profiles) echo "-v --verbose -q --quiet -h --help" ;;
	report)
		echo "-o= --output= -m= --metric= -a= --allow= -b= --build= --target-glibc= -e= --emit="
		echo "-h --help"
		;;
	size) echo "-f= --format= -n= --map= --ld-script= --flame -h --help" ;;
	sstrip) echo "-q --quiet -h --help" ;;
	table) echo "-f= --format= --explain --per-artifact --pareto -h --help" ;;
	heap)
		case $2 in
		trace) echo "-o= --output= --follow-fork --follow-exec --timeout= --stacks= --unwind= -h --help" ;;
		stats) echo "--align= --at-peak --budget= -f= --format= -h --help" ;;
		pools)
			echo "--pools= --align= --min-block= --capacity= --at-peak --emit= -f= --format= -h --help"
			;;
		replay) echo "--layout= --borrow -f= --format= -h --help" ;;
		sites) echo "-n= --skip= --stack -f= --format= -h --help" ;;
		flame) echo "--by= --skip= -h --help" ;;
		mcu-source) echo "--path -h --help" ;;
		esac
		;;
	esac
}

_ounce() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local ounce=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]:-} sub="" opts o takes=""
	local commands="advise cc check diff heap help matrix pick profile profiles report size sstrip table"
	local i first=2

	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
		return 0
	fi
	if [[ $cmd == heap ]]; then
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "trace stats pools replay sites flame mcu-source --help" -- "$cur")
			return 0
		fi
		sub=${COMP_WORDS[2]}
		first=3
	fi
	if [[ $cmd == help ]]; then
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		elif ((COMP_CWORD == 3)) && [[ ${COMP_WORDS[2]} == heap ]]; then
			mapfile -t COMPREPLY < <(compgen -W "trace stats pools replay sites flame mcu-source" -- "$cur")
		fi
		return 0
	fi
	# after `--` (cc's compiler, heap trace's command) the words are not ounce's
	for ((i = first; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i == COMP_CWORD - 1)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return 0
		fi
	done

	opts=$(_ounce_options "$cmd" "$sub")
	# is the previous word an option that takes a value?
	for o in $opts; do
		if [[ $o == *= && ${o%=} == "$prev" ]]; then
			takes=$prev
		fi
	done
	if [[ -n $takes ]]; then
		case $takes in
		-p | --profiles)
			# a comma-separated list: complete the name after the last comma
			local before="" names
			[[ $cur == *,* ]] && before=${cur%,*},
			names=$(_ounce_profile_names "$ounce")
			mapfile -t COMPREPLY < <(compgen -P "$before" -W "$names" -- "${cur##*,}")
			;;
		-f | --format)
			case $cmd in
			check) mapfile -t COMPREPLY < <(compgen -W "text md json" -- "$cur") ;;
			*) mapfile -t COMPREPLY < <(compgen -W "text md csv json" -- "$cur") ;;
			esac
			;;
		-m | --metric)
			mapfile -t COMPREPLY < <(compgen -W "file stripped xz gz flash ram region:" -- "$cur")
			;;
		-s | --strategy)
			mapfile -t COMPREPLY < <(compgen -W "each cumulative both search full" -- "$cur")
			;;
		--stack) mapfile -t COMPREPLY < <(compgen -W "helpful all" -- "$cur") ;;
		--distribute) mapfile -t COMPREPLY < <(compgen -W "distcc icecc none" -- "$cur") ;;
		--bench-count) mapfile -t COMPREPLY < <(compgen -W "instructions" -- "$cur") ;;
		-a | --allow) mapfile -t COMPREPLY < <(compgen -W "security abi" -- "$cur") ;;
		-e | --emit)
			if [[ $cmd == heap ]]; then
				mapfile -t COMPREPLY < <(compgen -W "ini toml c" -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -W \
					"env make json cmake meson cargo wrapper" -- "$cur")
			fi
			;;
		--capacity) mapfile -t COMPREPLY < <(compgen -W "joint sum at-peak" -- "$cur") ;;
		--by) mapfile -t COMPREPLY < <(compgen -W "peak count total" -- "$cur") ;;
		--via) mapfile -t COMPREPLY < <(compgen -W "perf callgrind" -- "$cur") ;;
		--call-graph) mapfile -t COMPREPLY < <(compgen -W "dwarf fp" -- "$cur") ;;
		--recipe)
			# the installed recipes; their names at the time of writing when this
			# file is not installed beside them
			local recipes
			recipes=$(_ounce_ini_names "$_ounce_data/recipes")
			mapfile -t COMPREPLY < <(compgen -W \
				"${recipes:-autotools cargo cmake make meson single}" -- "$cur")
			;;
		-w | --workdir | --cache) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
		-o | --output | -r | --results | --map | --layout | --against | --artifact)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			;;
		-b | --build | --builds)
			# a build name or (matrix --build) a command: nothing to offer
			;;
		esac
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${opts//=/}" -- "$cur")
		return 0
	fi
	# operands: matrix and profiles take a project directory, the others files
	case $cmd in
	matrix | profiles) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	cc) mapfile -t COMPREPLY < <(compgen -W "--" -- "$cur") ;;
	*) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
	return 0
}

complete -o filenames -F _ounce ounce
