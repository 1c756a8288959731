#!/usr/bin/env bash
# Downloads benchmark data for users (tests never call this). Usage:
#   datasets/fetch.sh evaporate <target-folder> [setting ...]   # default: all 16 settings
# SWDE, Kleister-NDA and SROIE need registration or conversion; see datasets/manifests/*.json.
set -euo pipefail

base="https://huggingface.co/datasets/hazyresearch/evaporate/resolve/main/data"
all_settings=(
  fda_510ks enron wiki_nba_players
  swde_movie_allmovie swde_movie_amctv swde_movie_hollywood swde_movie_iheartmovies
  swde_movie_imdb swde_movie_metacritic swde_movie_rottentomatoes swde_movie_yahoo
  swde_university_collegeprowler swde_university_ecampustours swde_university_embark
  swde_university_matchcollege swde_university_usnews
)

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[ $# -ge 2 ] || usage
dataset=$1 target=$2
shift 2
case "$dataset" in
  evaporate) ;;
  swde|kleister-nda|sroie)
    echo "fetch.sh: $dataset cannot be downloaded unattended; follow 'download' in datasets/manifests/$dataset.json" >&2
    exit 1 ;;
  *) usage ;;
esac

settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=("${all_settings[@]}")
for setting in "${settings[@]}"; do
  dir="$target/data/$setting"
  mkdir -p "$dir"
  for file in table.json docs.tar.gz; do
    if [ -s "$dir/$file" ]; then echo "have $dir/$file"; continue; fi
    echo "fetching $setting/$file"
    curl -fL --retry 3 -o "$dir/$file.part" "$base/$setting/$file"
    mv "$dir/$file.part" "$dir/$file"
  done
done
echo "done: point evaporate at $target/data (all settings) or $target/data/<setting>"
