import { Command } from "commander";
import { addressBytes } from "../../client/buildTransaction.js";
import { AttestaClient } from "../../client/client.js";
import { buyArgs, cancelOfferArgs, offerArgs } from "../../client/marketArgs.js";
import { TxKind } from "../../client/txKinds.js";
import { CliErrorCode, cliError } from "../cliErrors.js";
import { action, apiOption, jsonOption, parseAmount, parseCount, printResult, type JsonFlag } from "../output.js";
import { cliArgs, sendTx, withTxOptions, type TxFlags } from "../sendTx.js";

interface ListFlags extends JsonFlag {
  readonly api: string;
  readonly licences?: boolean;
  readonly buyer?: string;
  readonly from?: string;
  readonly limit?: string;
}

export function marketCommand(): Command {
  const market = new Command("market").description("offer, buy and list data feeds");

  withTxOptions(market.command("offer"), "key file of the owner of the device (or the zone's devices)")
    .description("offer a data feed for a price per period")
    .requiredOption("--feed <feed>", "device:<id> or zone:<zone>")
    .requiredOption("--price <n>", "price per period, a whole amount")
    .requiredOption("--period <seconds>", "length of one period in seconds")
    .option("--terms <text>", "terms of use", "")
    .action(
      action(async (flags: TxFlags & { feed: string; price: string; period: string; terms: string }) => {
        const pricePerPeriod = parseAmount(flags.price, "--price");
        const periodSeconds = parseCount(flags.period, "--period");
        await sendTx(flags, TxKind.OFFER, () => offerArgs({ feed: flags.feed, pricePerPeriod, periodSeconds, terms: flags.terms }));
      }),
    );

  withTxOptions(market.command("buy"), "key file of the buyer (a consumer)")
    .description("buy a licence on an offer for some periods; the price goes to the offer's owner")
    .requiredOption("--offer <id>", "the offer")
    .requiredOption("--periods <n>", "how many periods")
    .action(
      action(async (flags: TxFlags & { offer: string; periods: string }) => {
        const offerId = parseCount(flags.offer, "--offer");
        const periods = parseCount(flags.periods, "--periods");
        await sendTx(flags, TxKind.BUY, () => buyArgs(offerId, periods));
      }),
    );

  withTxOptions(market.command("cancel"), "key file of the offer's owner")
    .description("withdraw an offer (licences already bought stay valid)")
    .requiredOption("--offer <id>", "the offer")
    .action(action(async (flags: TxFlags & { offer: string }) => sendTx(flags, TxKind.CANCEL_OFFER, () => cancelOfferArgs(parseCount(flags.offer, "--offer")))));

  market
    .command("list")
    .description("list the offers, or with --licences --buyer ADDR the licences an account holds")
    .option("--licences", "list licences instead of offers")
    .option("--buyer <address>", "the licences' buyer (with --licences)")
    .option("--from <id>", "offers from this id on")
    .option("--limit <n>", "at most this many offers (default 100)")
    .addOption(apiOption())
    .addOption(jsonOption())
    .action(
      action(async (flags: ListFlags) => {
        const client = new AttestaClient({ url: flags.api });
        if (flags.licences === true) {
          if (flags.buyer === undefined) throw cliError(CliErrorCode.BAD_ARGUMENT, "--licences needs --buyer ADDR", { name: "--buyer" });
          const buyer = cliArgs(() => addressBytes(flags.buyer as string, "--buyer"));
          const licences = await client.licences(buyer);
          printResult(flags, { licences }, () =>
            licences.length === 0 ? ["no licences"] : licences.map((l) => `licence: ${l.feed} until ${new Date(l.expiresAt).toISOString()}`),
          );
          return;
        }
        const offers = await client.marketOffers({
          ...(flags.from !== undefined ? { from: parseCount(flags.from, "--from") } : {}),
          ...(flags.limit !== undefined ? { limit: parseCount(flags.limit, "--limit") } : {}),
        });
        printResult(flags, { offers }, () =>
          offers.length === 0
            ? ["no offers"]
            : offers.map((o) => `offer ${o.id}: ${o.feed} ${o.pricePerPeriod} per ${o.periodSeconds} s by ${o.owner}${o.open ? "" : " (closed)"}${o.terms === "" ? "" : ` — ${o.terms}`}`),
        );
      }),
    );

  return market;
}
