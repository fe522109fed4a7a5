%% The independent aligned-PER peer of the NGAP differential test (test/interop/erlang/): Erlang/OTP's
%% ASN.1 compiler built the module from the same TS 38.413 ASN.1 (erlc -bper +maps), and this
%% module (compiled beside it, run by peer.ts) runs it on what the TypeScript side sends, one request per line on standard input:
%%
%%   Id <TAB> TypeName <TAB> OurHex <TAB> Term.
%%
%% where Term is the value we encoded, written as Erlang's asn1 represents it (maps for SEQUENCEs,
%% {Alt, V} for CHOICEs, atoms for ENUMERATEDs, bitstrings, binaries). For each it answers
%%
%%   Id <TAB> TheirHex|error:Why <TAB> ok|diff:Path|error:Why <TAB> ok|TheirReencodingHex|error:Why
%%
%% 1. its encoding of Term (compared with ours by the caller);
%% 2. its decoding of our octets compared with Term (the first ASN.1 path where they differ);
%% 3. its re-encoding of that decoding (must give our octets back).
-module(ngap_peer).
-export([main/1]).

main([BeamDir, Module]) ->
    true = code:add_patha(BeamDir),
    Mod = list_to_atom(Module),
    {module, Mod} = code:ensure_loaded(Mod),
    ok = io:setopts(standard_io, [binary]),
    loop(Mod).

loop(Mod) ->
    case io:get_line(standard_io, '') of
        eof -> ok;
        {error, _} = E -> io:format(standard_error, "read: ~p~n", [E]);
        Line ->
            [Id, Type, OurHex, TermText] = binary:split(string:trim(Line, trailing, "\r\n"), <<"\t">>, [global]),
            Answer = try answer(Mod, binary_to_atom(Type, utf8), OurHex, TermText)
                     catch Class:Reason -> E = why({Class, Reason}), [E, $\t, E, $\t, E]
                     end,
            Out = case unicode:characters_to_binary([Id, $\t, Answer, $\n]) of
                      B when is_binary(B) -> B;
                      _ -> <<Id/binary, "\terror:unprintable\terror:unprintable\terror:unprintable\n">>
                  end,
            ok = file:write(standard_io, Out),
            loop(Mod)
    end.

answer(Mod, Type, OurHex, TermText) ->
    Ours = binary:decode_hex(OurHex),
    Term = parse(TermText),
    Theirs = case catch Mod:encode(Type, Term) of
                 {ok, B} -> binary:encode_hex(B);
                 Other -> why(Other)
             end,
    {Decoded, Reencoded} =
        case catch Mod:decode(Type, Ours) of
            {ok, V} ->
                D = case diff([], Term, V) of
                        same -> <<"ok">>;
                        Path -> iolist_to_binary([<<"diff:">>, Path])
                    end,
                R = case catch Mod:encode(Type, V) of
                        {ok, Ours} -> <<"ok">>;
                        {ok, B2} -> binary:encode_hex(B2);
                        Other2 -> why(Other2)
                    end,
                {D, R};
            Other3 -> {why(Other3), why(Other3)}
        end,
    [Theirs, $\t, Decoded, $\t, Reencoded].

parse(Text) ->
    {ok, Tokens, _} = erl_scan:string(binary_to_list(Text)),
    {ok, Term} = erl_parse:parse_term(Tokens),
    Term.

why(Reason) ->
    Text = lists:flatten(io_lib:format("~0w", [Reason])),
    iolist_to_binary([<<"error:">>, string:slice(re:replace(Text, "[\t\n]", " ", [global, {return, list}]), 0, 300)]).

%% The first path (".name", "[i]") where the expected and decoded values differ, with both values.
diff(_, Same, Same) -> same;
diff(Path, A, B) when is_map(A), is_map(B) ->
    Keys = lists:usort(maps:keys(A) ++ maps:keys(B)),
    first(Keys, fun(K) ->
                        case {maps:find(K, A), maps:find(K, B)} of
                            {{ok, X}, {ok, Y}} -> diff(Path ++ [io_lib:format(".~s", [K])], X, Y);
                            {error, _} -> mismatch(Path ++ [io_lib:format(".~s", [K])], absent, present);
                            {_, error} -> mismatch(Path ++ [io_lib:format(".~s", [K])], present, absent)
                        end
                end);
diff(Path, A, B) when is_list(A), is_list(B), length(A) =:= length(B) ->
    first(lists:seq(1, length(A)), fun(I) -> diff(Path ++ [io_lib:format("[~b]", [I - 1])], lists:nth(I, A), lists:nth(I, B)) end);
diff(Path, {Alt, A}, {Alt, B}) when is_atom(Alt) ->
    diff(Path ++ [io_lib:format(".~s", [Alt])], A, B);
diff(Path, A, B) -> mismatch(Path, A, B).

mismatch(Path, A, B) ->
    lists:flatten([Path, io_lib:format(" expected ~0w got ~0w", [A, B])]).

first([], _) -> same;
first([X | Xs], F) ->
    case F(X) of
        same -> first(Xs, F);
        Path -> Path
    end.
